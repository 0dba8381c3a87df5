"""The run folder: atomic writes, part-file tables and the manifest.

Every file is written to a temporary name in the same folder and renamed into place, so a
killed run never leaves a half-written file under a final name. Tables are folders of Parquet
part files (`cleaned/part-00000.parquet`) that stages stream chunk by chunk.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

MANIFEST = "manifest.json"
_UMASK = os.umask(0)
os.umask(_UMASK)


class RunExistsError(FileExistsError):
    """The run folder already holds a run and `overwrite` was not given."""


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to `path`; rename it to `path` only if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o666 & ~_UMASK)  # mkstemp makes 0600; final files get normal modes
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path: Path, obj: Any) -> None:
    write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n")


def write_parquet(path: Path, df: pd.DataFrame | pa.Table) -> None:
    table = df if isinstance(df, pa.Table) else pa.Table.from_pandas(df, preserve_index=False)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def write_with(path: Path, writer: Callable[[Path], None]) -> None:
    """Atomically write `path` with a function that writes to the path it is given."""
    with atomic_path(path) as tmp:
        writer(tmp)


class Run:
    """A run folder. Stages read the tables of earlier stages and write their own."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    # -- lifecycle -------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, overwrite: bool = False) -> "Run":
        run = cls(path)
        if run.path.exists() and any(run.path.iterdir()):
            if not overwrite:
                raise RunExistsError(
                    f"{run.path} already holds files; pass --overwrite to replace the run "
                    f"or choose another --out folder.")
            if not (run.path / MANIFEST).exists():
                raise RunExistsError(
                    f"{run.path} is not empty and holds no {MANIFEST}; refusing to delete a "
                    f"folder that is not a run folder. Choose another --out folder.")
            shutil.rmtree(run.path)
        run.path.mkdir(parents=True, exist_ok=True)
        write_json(run.path / MANIFEST, {"created_at": utc_now(), "stages": {}})
        return run

    @classmethod
    def open(cls, path: str | Path) -> "Run":
        run = cls(path)
        if not (run.path / MANIFEST).is_file():
            raise FileNotFoundError(
                f"{run.path} is not a run folder (no {MANIFEST}); create one with "
                f"`disinfo ingest INPUT --out {run.path}` or `disinfo run`.")
        return run

    # -- manifest ----------------------------------------------------------------------------
    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads((self.path / MANIFEST).read_text(encoding="utf-8"))

    def update_manifest(self, **fields: Any) -> dict[str, Any]:
        manifest = self.manifest
        manifest.update(fields)
        write_json(self.path / MANIFEST, manifest)
        return manifest

    def record_stage(self, stage: str, info: dict[str, Any]) -> None:
        manifest = self.manifest
        manifest.setdefault("stages", {})[stage] = info
        write_json(self.path / MANIFEST, manifest)

    # -- tables ------------------------------------------------------------------------------
    def table_dir(self, name: str) -> Path:
        return self.path / name

    def reset_table(self, name: str, prefix: str = "") -> None:
        """Remove a table's parts (those named `part-<prefix>*`) before a stage rewrites them."""
        for part in self.table_dir(name).glob(f"part-{prefix}*.parquet"):
            part.unlink()

    def write_part(self, name: str, index: int, df: pd.DataFrame | pa.Table,
                   prefix: str = "") -> Path:
        path = self.table_dir(name) / f"part-{prefix}{index:05d}.parquet"
        write_parquet(path, df)
        return path

    def parts(self, name: str) -> list[Path]:
        return sorted(self.table_dir(name).glob("part-*.parquet"))

    def has_table(self, name: str) -> bool:
        return bool(self.parts(name))

    def iter_table(self, name: str, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
        """Stream a table part by part (each part is one chunk of the stage that wrote it)."""
        parts = self.parts(name)
        if not parts:
            raise FileNotFoundError(
                f"{self.path} has no '{name}' table yet; run the stage that writes it first.")
        for part in parts:
            yield pq.read_table(part, columns=columns).to_pandas()

    def count_rows(self, name: str) -> int:
        return sum(pq.ParquetFile(p).metadata.num_rows for p in self.parts(name))

    def glob(self, name: str) -> str:
        """A glob over a table's parts, for DuckDB's read_parquet."""
        return str(self.table_dir(name) / "part-*.parquet")
