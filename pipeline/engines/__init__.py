"""Engines: where the per-part work of a stage runs.

The stages that do per-record work split it into part tasks and global steps. A part task
reads one part file of the table its stage reads (`cleaned/part-00003.parquet`), so it
needs nothing from the process that submitted it but paths and the config; the classify and
narratives tasks write their outputs under the run folder, the clean task returns the
cleaned records. The global steps (duplicate marking in input order, coordination,
narrative discovery, the report) run in the calling process, over every part. `Engine.map` runs a task over parts and yields the results in part order,
so a stage's outputs do not depend on its engine:

- `local`: in the calling process, one part after another;
- `dask`: on a Dask cluster (`distributed`), a `LocalCluster` of `engine.workers`
  processes started for the run, or the scheduler at `engine.scheduler`
  (pipeline/engines/dask.py).
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Mapping


class EngineError(ValueError):
    """The engine the config names cannot be used; the message says why and what to do."""


class LocalEngine:
    """Runs part tasks in the calling process."""

    name = "local"

    def map(self, task: Callable[..., Any], items: Iterable[Any], *args: Any) -> Iterator[Any]:
        for item in items:
            yield task(item, *args)

    def close(self) -> None:
        pass

    def __enter__(self) -> "LocalEngine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def make_engine(config: Mapping[str, Any]):
    """The engine `config["engine"]` names (`local` or `dask`, checked by the config);
    close it with `close()` or use it as a context manager."""
    cfg = config["engine"]
    if cfg["name"] == "dask":
        from .dask import DaskEngine
        return DaskEngine(cfg["scheduler"], cfg["workers"], cfg["in_flight"])
    return LocalEngine()


_HELD: dict[str, tuple[Any, Any]] = {}


def held(name: str, key: Any, make: Callable[[], Any]) -> Any:
    """`make()` built once per process for `key` and kept for the tasks after it (a Dask
    worker loads the model once, not per part); one object per `name`, replaced when the
    key changes."""
    if name not in _HELD or _HELD[name][0] != key:
        _HELD.pop(name, None)
        _HELD[name] = (key, make())
    return _HELD[name][1]


_PATH_KEYS = (("classify", "model"), ("features", "sources"), ("features", "languages"),
              ("narratives", "taxonomy"), ("narratives", "classifier"))


def portable_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """`config` with the file paths part tasks read made absolute, so that a worker with
    another working directory reads the same files."""
    from ..config import resolve_path
    out = {section: dict(values) if isinstance(values, Mapping) else values
           for section, values in config.items()}
    for section, key in _PATH_KEYS:
        if out.get(section, {}).get(key):
            out[section][key] = str(resolve_path(out[section][key]).resolve())
    return out
