"""The run folder: atomic writes, part-file tables, the manifest, the lock and run state.

Every file is written to a temporary name in the same folder and renamed into place, so a
killed run never leaves a half-written file under a final name. Tables are folders of Parquet
part files (`cleaned/part-00000.parquet`) that stages stream chunk by chunk.

One process at a time works in a run folder: it holds `.lock` (pid, host, start time, stage).
A second process is refused with a message naming the holder; a lock left by a process that
no longer runs on this host is stale and taken over. Each stage is recorded in the manifest
as `started` and then `finished`; a stage started and never finished (a crash, `kill -9`)
makes the run `incomplete` until `disinfo run --resume` finishes it.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

MANIFEST = "manifest.json"
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:/")  # s3://..., gs://... (pathlib keeps one /)
LOCK = ".lock"
# what the report stage writes; removed when any stage starts, so that a report never
# presents tables of a run that is being rewritten
REPORT_OUTPUTS = ("report.html", "report.md", "summary.json", "predictions.parquet",
                  "predictions.csv", "run.duckdb", "tables")
_UMASK = os.umask(0)
os.umask(_UMASK)


class RunExistsError(FileExistsError):
    """The run folder already holds a run and `overwrite` was not given."""


class RunBusyError(RuntimeError):
    """Another live process holds the run folder's lock."""


class RunIncompleteError(RuntimeError):
    """A stage of the run started and did not finish."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


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


def read_part(path: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """One part file of a table (what a part task of an engine reads)."""
    return pq.read_table(path, columns=columns).to_pandas()


class Run:
    """A run folder. Stages read the tables of earlier stages and write their own."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    # -- lifecycle -------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, overwrite: bool = False, stage: str = "run") -> "Run":
        """A new run folder, returned holding its lock (release it with `release()`).

        With `overwrite`, an existing run folder's content is replaced, but only once its lock
        is taken: a run still working in it is never deleted under its feet.
        """
        if _URL.match(str(path)):
            raise ValueError(
                f"{path} is a URL; a run folder must be a folder of this machine's file "
                f"system (it relies on atomic renames and a lock file). Mount the storage "
                f"(e.g. with mountpoint-s3, s3fs or gcsfuse) and give the mounted path.")
        run = cls(path)
        run.path.mkdir(parents=True, exist_ok=True)
        held = [p for p in run.path.iterdir() if p.name != LOCK]
        if held and not overwrite:
            raise RunExistsError(
                f"{run.path} already holds files; pass --overwrite to replace the run "
                f"or choose another --out folder.")
        if held and not (run.path / MANIFEST).exists():
            raise RunExistsError(
                f"{run.path} is not empty and holds no {MANIFEST}; refusing to delete a "
                f"folder that is not a run folder. Choose another --out folder.")
        run.acquire(stage)
        try:
            for entry in run.path.iterdir():
                if entry.name != LOCK:
                    shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() \
                        else entry.unlink()
            write_json(run.path / MANIFEST, {"created_at": utc_now(), "stages": {}})
        except BaseException:
            run.release()
            raise
        return run

    @classmethod
    def open(cls, path: str | Path) -> "Run":
        run = cls(path)
        if not (run.path / MANIFEST).is_file():
            raise FileNotFoundError(
                f"{run.path} is not a run folder (no {MANIFEST}); create one with "
                f"`disinfo ingest INPUT --out {run.path}` or `disinfo run`.")
        return run

    # -- lock --------------------------------------------------------------------------------
    def lock_holder(self) -> dict[str, Any] | None:
        """The lock's record, or None when the folder is not locked."""
        try:
            return json.loads((self.path / LOCK).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):  # being written right now
            return {"pid": None, "host": None, "started_at": None, "stage": "?"}

    def _mine(self, holder: dict[str, Any] | None) -> bool:
        return bool(holder) and holder.get("pid") == os.getpid() and \
            holder.get("host") == socket.gethostname()

    def acquire(self, stage: str) -> bool:
        """Take the folder's lock; False if this process already holds it (nothing to release).

        Raises RunBusyError when another live process holds it.
        """
        path = self.path / LOCK
        record = {"pid": os.getpid(), "host": socket.gethostname(), "started_at": utc_now(),
                  "stage": stage}
        for _ in range(50):
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self.lock_holder()
                if self._mine(holder):
                    return False
                if holder and holder.get("pid") is None:
                    time.sleep(0.02)  # the holder is writing its record
                    continue
                if holder and holder.get("host") == socket.gethostname() and \
                        not _alive(int(holder["pid"])):
                    path.unlink(missing_ok=True)  # stale: its process is gone
                    continue
                if holder is None:
                    continue
                raise RunBusyError(
                    f"{self.path} is in use by process {holder.get('pid')} on "
                    f"{holder.get('host')} (stage {holder.get('stage')}, since "
                    f"{holder.get('started_at')}); wait for it to finish, or if that process "
                    f"is gone, delete {path}.")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(record, fh)
            return True
        raise RunBusyError(f"{self.path}: could not take {path}; delete it if no run is working "
                           f"in this folder.")

    def release(self) -> None:
        if self._mine(self.lock_holder()):
            (self.path / LOCK).unlink(missing_ok=True)

    @contextmanager
    def locked(self, stage: str) -> Iterator["Run"]:
        """Hold the folder's lock for a block (re-entrant within one process)."""
        taken = self.acquire(stage)
        try:
            yield self
        finally:
            if taken:
                self.release()

    # -- run state ---------------------------------------------------------------------------
    def start_stage(self, stage: str) -> None:
        """Record `stage` as started; remove the report outputs, which it makes stale."""
        for name in REPORT_OUTPUTS:
            target = self.path / name
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)
        manifest = self.manifest
        manifest.setdefault("stages", {})[stage] = {"status": "started",
                                                    "started_at": utc_now()}
        manifest.pop("finished_at", None)
        write_json(self.path / MANIFEST, manifest)

    def unfinished(self) -> list[str]:
        """Stages recorded as started that never finished."""
        return [name for name, info in self.manifest.get("stages", {}).items()
                if info.get("status") == "started"]

    def state(self) -> str:
        """`running` (a live process holds the lock), `incomplete` (a stage started and never
        finished) or `finished`."""
        holder = self.lock_holder()
        if holder and not self._mine(holder) and (
                holder.get("host") != socket.gethostname() or holder.get("pid") is None or
                _alive(int(holder["pid"]))):
            return "running"
        return "incomplete" if self.unfinished() else "finished"

    def require_complete(self) -> None:
        """Refuse to read a run that is being written or whose last stage did not finish."""
        state = self.state()
        if state == "running":
            holder = self.lock_holder() or {}
            raise RunBusyError(f"{self.path} is being written by process {holder.get('pid')} "
                               f"(stage {holder.get('stage')}); read it when that run ends.")
        if state == "incomplete":
            raise RunIncompleteError(
                f"{self.path} is incomplete: stage {', '.join(self.unfinished())} started and "
                f"did not finish, so its tables are partial; finish the run with "
                f"`disinfo run --resume {self.path}`.")

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
        """Record a stage's result; the stage is `finished`."""
        manifest = self.manifest
        manifest.setdefault("stages", {})[stage] = {**info, "status": "finished",
                                                    "finished_at": utc_now()}
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

    def duckdb(self, config: Mapping[str, Any]):
        """An in-memory DuckDB connection whose work memory is `tables.duckdb_memory_mb`,
        spilling beyond it to `.duckdb-tmp/` in the run folder."""
        import duckdb
        return duckdb.connect(config={
            "memory_limit": f"{config['tables']['duckdb_memory_mb']}MB",
            "temp_directory": str(self.path / ".duckdb-tmp")})

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
            yield read_part(part, columns)

    def count_rows(self, name: str) -> int:
        return sum(pq.ParquetFile(p).metadata.num_rows for p in self.parts(name))

