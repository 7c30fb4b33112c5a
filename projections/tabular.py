"""Stored text on its way into a spreadsheet or a terminal, where some text is an instruction.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets: a customer named `=HYPERLINK("http://…")` would run when a manager
opens the CSV. Such a cell gets a leading apostrophe (OWASP's advice), which spreadsheets show as
text. In a terminal, escape and other control characters move the cursor, recolour or retitle
the window: they are shown as their code point instead. Only text is changed; numbers stay numbers.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def spreadsheet_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def terminal_safe(text: str) -> str:
    return _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", text)
