"""The learner's record: lessons, positions, hints, quiz answers and Leitner boxes, in SQLite."""
