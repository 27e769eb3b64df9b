"""Office-ready exports, shared by every service: the declarative table layout (layout.py), the
renderer to XLSX/CSV (files.py) and the safe cell (cells.py). See docs/exports.md."""
