"""Naming files to DuckDB so that it reads exactly those files.

DuckDB reads every path it is given as a glob pattern, each path of a list too: a run folder
that a user named `it's [x] *` would match other folders (`it's x old`) or none, and a quote
ends a SQL string literal early. Give DuckDB the explicit part files, with `duckdb_path`, and
write any path into SQL text with `sql_string`.
"""
from __future__ import annotations

import re
from pathlib import Path

_GLOB = re.compile(r"[\[*?]")


def duckdb_path(path: str | Path) -> str:
    """`path` as a DuckDB glob that matches only itself (`[`, `*` and `?` as one-character
    classes; a path without them is left as it is)."""
    return _GLOB.sub(r"[\g<0>]", str(path))


def sql_string(value: str) -> str:
    """`value` as a SQL string literal, for statements that take no parameters (views)."""
    return "'" + value.replace("'", "''") + "'"
