"""The session layer: the lab, the course and the learner's record, wired once for every front end.

It never imports Textual: the TUI, the plain commands, `web`, the benchmarks and the tests all
get their session from `tutor.session.factory.make_session`.
"""
