"""The Dask engine: part tasks on a Dask cluster (`distributed`).

Without a scheduler address it starts a `LocalCluster` of worker processes (one thread each)
on this machine for the run and closes it afterwards; with one (`engine.scheduler`,
`--scheduler tcp://host:8786`) it submits to that cluster, whose workers must have this
package installed and see the run folder at the same path (shared storage). A task reads its
part from the run folder; what travels between the workers and this process is the paths,
the config, the counts of classify and narratives and the cleaned records of clean (which
this process marks for duplicates in input order). Tasks are submitted `in_flight` per
worker at a time, so results never pile up in memory however many parts a table has.
"""
from __future__ import annotations

import logging
import os
from collections import deque
from itertools import islice
from typing import Any, Callable, Iterable, Iterator

from . import EngineError


class DaskEngine:
    """Runs part tasks on a Dask cluster; yields results in part order."""

    name = "dask"

    def __init__(self, scheduler: str = "", workers: int = 0, in_flight: int = 2):
        from distributed import Client, LocalCluster
        self.scheduler, self.in_flight, self.cluster = scheduler, in_flight, None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout="20s")
            except (OSError, TimeoutError) as exc:
                raise EngineError(
                    f"could not reach the Dask scheduler at {scheduler} ({exc}); start one "
                    f"with `dask scheduler` and workers with `dask worker {scheduler}`, or "
                    f"leave engine.scheduler empty to start a LocalCluster.") from exc
        else:
            self.cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1,
                                        threads_per_worker=1, processes=True,
                                        dashboard_address=None,
                                        silence_logs=logging.ERROR)
            self.client = Client(self.cluster)

    @property
    def workers(self) -> int:
        return len(self.client.scheduler_info()["workers"])

    def map(self, task: Callable[..., Any], items: Iterable[Any], *args: Any) -> Iterator[Any]:
        """task(item, *args) for every item, on the cluster; `args` are sent to every worker
        once (scattered), not with every task."""
        shared = self.client.scatter(list(args), broadcast=True, hash=False) if args else []
        window = max(1, self.in_flight * max(1, self.workers))
        pending: deque = deque()
        items = iter(items)

        def submit(item: Any) -> None:
            pending.append(self.client.submit(task, item, *shared, pure=False))

        for item in islice(items, window):
            submit(item)
        try:
            while pending:
                future = pending.popleft()
                result = future.result()
                future.release()
                for item in islice(items, 1):
                    submit(item)
                yield result
        finally:
            for future in pending:
                future.cancel()
            for future in shared:
                future.release()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def __enter__(self) -> "DaskEngine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
