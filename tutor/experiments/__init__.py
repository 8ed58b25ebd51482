"""Live experiments: ExperimentSpec -> Outcome, judged by what the lab saw arrive."""
