"""The tutor's screens: the lesson list, the lesson reader and the experiment panel."""
