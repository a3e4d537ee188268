"""`haven demo`: seeds every app's synthetic demo data. Sits above all the domain apps."""
