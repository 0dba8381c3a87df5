"""Progress bars for long steps: rich bars when enabled (the CLI enables them), else silent."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                           TimeElapsedColumn)

_enabled = False


def enable(flag: bool = True) -> None:
    global _enabled
    _enabled = flag


@contextmanager
def task(description: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """Yield an `advance(n)` function that moves a progress bar by n units."""
    if not _enabled:
        yield lambda n=1: None
        return
    columns = [SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
               MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, transient=False) as bar:
        handle = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(handle, n)
