"""Reports: the centre's front door (the full intake arrives with issue 4)."""
