"""Alembic environment of the registry: its tables live in the PostgreSQL schema ``registry``."""

from siir.migrations import run_environment

run_environment("registry")
