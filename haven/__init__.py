"""Haven: the single point of contact for reports of children targeted online."""
