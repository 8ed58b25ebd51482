"""Benchmarks: they measure and print figures against the targets; they assert nothing."""
