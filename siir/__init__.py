"""Shared platform of the SIIR services: settings, the database engine and the command line."""
