"""The quiz: which questions, how each kind is graded (predictions live), the run, its record."""
