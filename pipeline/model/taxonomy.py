"""The mechanism label set, read from `configs/taxonomy.toml`."""
from __future__ import annotations

import tomllib
from pathlib import Path

from ..config import PROJECT_ROOT

TAXONOMY = PROJECT_ROOT / "configs" / "taxonomy.toml"


def mechanisms(path: str | Path = TAXONOMY) -> list[dict[str, str]]:
    with open(path, "rb") as fh:
        return tomllib.load(fh)["mechanism"]


def mechanism_ids(path: str | Path = TAXONOMY) -> list[str]:
    return [m["id"] for m in mechanisms(path)]
