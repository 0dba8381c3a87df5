"""Stage `report`: what users read, regenerated from the run folder alone.

Writes into the run folder:

| file                          | content                                                  |
|-------------------------------|----------------------------------------------------------|
| `report.html`                 | one self-contained page: summary, mechanisms, sources,   |
|                               | narratives, accusations, coordination, evidence, review  |
|                               | queue, methods and model card                            |
| `report.md`                   | the same findings and main tables in Markdown            |
| `summary.json`                | every figure, machine-readable                           |
| `tables/<name>.csv, .parquet` | each report table                                        |
| `predictions.parquet, .csv`   | one row per document                                     |
| `run.duckdb`                  | views over every Parquet table of the run, with paths    |
|                               | relative to the run folder: `cd RUN && duckdb run.duckdb`|

`report(run, config, formats=...)` picks among html, md and json; tables, predictions and
`run.duckdb` are always written.
"""
from __future__ import annotations

import time
from typing import Any, Iterable, Mapping

import duckdb

from .. import progress
from ..store import Run, utc_now, write_json, write_parquet, write_text, write_with
from . import html, markdown
from .data import build, connect, view_sql

FORMATS = ("html", "md", "json")


def write_database(run: Run) -> None:
    """`run.duckdb`: views over the run's Parquet files, relative to the run folder."""
    def make(tmp):
        tmp.unlink(missing_ok=True)  # DuckDB refuses an empty file that is not a database
        con = duckdb.connect(str(tmp))
        # views keep relative paths; resolve them against the run folder while binding here
        con.execute("set file_search_path = ?", [str(run.path.resolve())])
        for sql in view_sql(run, relative=True).values():
            con.execute(sql)
        for path in sorted((run.path / "tables").glob("*.parquet")):
            con.execute(f"create or replace view report_{path.stem} as select * from "
                        f"read_parquet('tables/{path.name}')")
        con.close()
    write_with(run.path / "run.duckdb", make)


def report(run: Run, config: Mapping[str, Any],
           formats: Iterable[str] | None = None) -> dict[str, Any]:
    """Write the report files (see the module docstring); return the stage's record."""
    started = time.perf_counter()
    formats = list(formats if formats is not None else config["report"]["formats"])
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ValueError(f"unknown report format(s) {unknown}; choose from {list(FORMATS)}.")
    if not run.has_table("predictions"):
        raise FileNotFoundError(f"{run.path} has no predictions yet; run `disinfo classify "
                                f"{run.path}` first.")
    files: dict[str, str] = {}
    with progress.task("report", 3 + len(formats)) as advance:
        con = connect(run)
        for name, fmt in (("predictions.parquet", "(format parquet)"),
                          ("predictions.csv", "(format csv, header true)")):
            write_with(run.path / name, lambda tmp, fmt=fmt: con.execute(
                f"copy (select * from predictions order by id) to '{tmp}' {fmt}"))
            files[name] = str(run.path / name)
        advance(1)
        data = build(run, config, con)
        for name, frame in data.tables.items():
            write_parquet(run.path / "tables" / f"{name}.parquet", frame)
            write_with(run.path / "tables" / f"{name}.csv",
                       lambda tmp, frame=frame: frame.to_csv(tmp, index=False))
        files["tables"] = str(run.path / "tables")
        advance(1)
        write_database(run)
        files["run.duckdb"] = str(run.path / "run.duckdb")
        advance(1)
        if "json" in formats:
            write_json(run.path / "summary.json", data.summary)
            files["summary.json"] = str(run.path / "summary.json")
            advance(1)
        if "md" in formats:
            write_text(run.path / "report.md", markdown.render(data))
            files["report.md"] = str(run.path / "report.md")
            advance(1)
        if "html" in formats:
            write_text(run.path / "report.html", html.render(data))
            files["report.html"] = str(run.path / "report.html")
            advance(1)
    result = {"started_at": utc_now(), "seconds": round(time.perf_counter() - started, 3),
              "counts": {"documents": data.summary["counts"]["documents"],
                         "tables": len(data.tables)}, "files": files}
    run.record_stage("report", result)
    run.update_manifest(accounting=data.summary["accounting"])
    return result


__all__ = ["report", "build", "FORMATS"]
