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
| `predictions.parquet, .csv`   | one row per document, with its text                      |
| `run.duckdb`                  | views over every Parquet table of the run by absolute    |
|                               | path: `duckdb RUN/run.duckdb` from any directory         |

`report(run, config, formats=...)` picks among html, md and json; tables, predictions and
`run.duckdb` are always written, so `csv` and `parquet` are accepted and write only those.
"""
from __future__ import annotations

import time
from typing import Any, Iterable, Iterator, Mapping

import duckdb
import pandas as pd

from .. import progress
from ..safe_csv import write_csv
from ..store import Run, utc_now, write_json, write_parquet, write_text, write_with
from . import html, markdown
from ..duckdb_paths import duckdb_path, sql_string
from .data import build, connect, view_sql

FORMATS = ("html", "md", "json")
TABLE_FORMATS = ("csv", "parquet")  # always written; naming one asks for the tables alone
# predictions.parquet/.csv: one row per analysed document with its text, published_at as a
# UTC timestamp (the run's tables keep ISO 8601 strings)
PREDICTIONS_SQL = ("select p.* replace (try_strptime(p.published_at, '%Y-%m-%dT%H:%M:%SZ') "
                   "as published_at), c.text from predictions p left join cleaned c using (id) "
                   "order by p.id")


def _chunks(con: duckdb.DuckDBPyConnection, sql: str, rows: int) -> Iterator[pd.DataFrame]:
    """The result of `sql` in frames of at most `rows` rows, the first one empty (it carries
    the columns even when there are no rows). Arrow dtypes keep integers with nulls exact."""
    batches = con.sql(sql).to_arrow_reader(rows)
    yield batches.schema.empty_table().to_pandas(types_mapper=pd.ArrowDtype)
    for batch in batches:
        yield batch.to_pandas(types_mapper=pd.ArrowDtype)


def write_database(run: Run) -> None:
    """`run.duckdb`: views over the run's Parquet files by their absolute paths, so that it
    answers from any working directory (`duckdb RUN/run.duckdb`)."""
    def make(tmp):
        tmp.unlink(missing_ok=True)  # DuckDB refuses an empty file that is not a database
        con = duckdb.connect(str(tmp))
        for sql in view_sql(run, globs=True).values():
            con.execute(sql)
        for path in sorted((run.path / "tables").glob("*.parquet")):
            con.execute(f"create or replace view report_{path.stem} as select * from "
                        f"read_parquet({sql_string(duckdb_path(path.resolve()))})")
        con.close()
    write_with(run.path / "run.duckdb", make)


def report(run: Run, config: Mapping[str, Any],
           formats: Iterable[str] | None = None) -> dict[str, Any]:
    """Write the report files (see the module docstring); return the stage's record."""
    started = time.perf_counter()
    formats = list(formats if formats is not None else config["report"]["formats"])
    unknown = sorted(set(formats) - set(FORMATS) - set(TABLE_FORMATS))
    if unknown:
        raise ValueError(f"unknown report format(s) {unknown}; choose from "
                         f"{list(FORMATS + TABLE_FORMATS)}.")
    formats = [f for f in formats if f in FORMATS]
    if not run.has_table("predictions"):
        raise FileNotFoundError(f"{run.path} has no predictions yet; run `disinfo classify "
                                f"{run.path}` first.")
    files: dict[str, str] = {}
    with progress.task("report", 3 + len(formats)) as advance:
        con = connect(run, config)
        write_with(run.path / "predictions.parquet", lambda tmp: con.execute(
            f"copy ({PREDICTIONS_SQL}) to ? (format parquet)", [str(tmp)]))
        write_with(run.path / "predictions.csv", lambda tmp: write_csv(
            tmp, _chunks(con, PREDICTIONS_SQL, config["ingest"]["chunk_size"])))
        files["predictions.parquet"] = str(run.path / "predictions.parquet")
        files["predictions.csv"] = str(run.path / "predictions.csv")
        advance(1)
        data = build(run, config, con)
        for name, frame in data.tables.items():
            write_parquet(run.path / "tables" / f"{name}.parquet", frame)
            write_with(run.path / "tables" / f"{name}.csv",
                       lambda tmp, frame=frame: write_csv(tmp, frame))
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
