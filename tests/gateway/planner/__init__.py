"""Planner tests, one module per feature group of issue 12."""
