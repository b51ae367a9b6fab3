"""Operators' entry points: the CLI, the worker and its schedule, health and metrics."""
