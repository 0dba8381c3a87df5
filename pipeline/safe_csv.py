"""CSV files that are safe to open in a spreadsheet.

Every CSV the pipeline writes (`predictions.csv`, `tables/*.csv`, `coordination_edges.csv`,
CSV annotation tasks) goes through :func:`write_csv`, which applies :func:`safe_cell` to each
text cell, following the OWASP guidance on CSV injection:

- control characters (C0 except TAB, LF and CR; DEL) are removed;
- a cell that then begins with `=`, `+`, `-`, `@`, TAB or CR gets a leading `'`, so that
  Excel, LibreOffice and Google Sheets show it as text instead of running it as a formula;
  plain numbers such as `-3.5` or `+1e3` are left as they are.

Only text cells (strings in string or object columns) are touched: numeric, boolean and date
columns are written as pandas writes them. The Parquet outputs keep the raw values: they are
for analysis, not for spreadsheets, and a reader of them sees the data as it came in.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def safe_cell(value: str) -> str:
    """`value` without control characters, with a leading `'` if it would start a formula."""
    value = _CONTROL.sub("", value)
    if value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """Undo :func:`safe_cell`'s `'` on a cell read back (a CSV task file re-imported with its
    labels), so that the text is the document's own."""
    return value[1:] if value[:1] == "'" and value[1:2] in FORMULA_START else value


def _safe_value(value: Any) -> Any:
    return safe_cell(value) if isinstance(value, str) else value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with :func:`safe_cell` applied to the strings of its text columns
    (string or object dtype; other values of object columns, such as lists, are kept)."""
    out = frame.copy(deep=False)
    for name, column in frame.items():
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            out[name] = column.map(_safe_value)
    return out


def write_csv(path: str | Path, frames: pd.DataFrame | Iterable[pd.DataFrame]) -> None:
    """Write a frame, or a stream of frames with the same columns, to `path` as one
    spreadsheet-safe CSV (header from the first frame, no index). A stream must yield at least
    one frame, an empty one when there are no rows, for the header to be written."""
    if isinstance(frames, pd.DataFrame):
        frames = [frames]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        for i, frame in enumerate(frames):
            safe_frame(frame).to_csv(fh, index=False, header=i == 0)
