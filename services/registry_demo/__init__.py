"""Demo data for the registry (``siir seed``, ``siir up``): deterministic home industries, their
history, teams and partners. Seed-only: the registry's runtime never imports it."""
