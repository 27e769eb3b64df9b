"""Alembic environment of reporting: its tables live in the PostgreSQL schema ``reporting``."""

from siir.migrations import run_environment

run_environment("reporting")
