"""A safe cell: what any stored value becomes in a CSV or XLSX export.

Stored text may predate the input rules (siir/argument_rules.py) and hold control characters: XML,
hence XLSX, cannot carry most of them (openpyxl refuses the whole workbook), so they are dropped.
Text a spreadsheet would run as a formula (it begins with ``= + - @``, a tab or a carriage return:
OWASP's CSV injection list) gets a leading ``'``, which spreadsheet programs read as "this is text".
Numbers and dates stay as they are.
"""

from __future__ import annotations

import re
from typing import Any

#: Characters XML 1.0 forbids (all C0 controls but tab, newline and CR), lone surrogates, U+FFFE/U+FFFF.
_ILLEGAL_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = _ILLEGAL_IN_XML.sub("", value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def safe_row(values: list[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]
