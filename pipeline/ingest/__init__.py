"""Stage `ingest`: read inputs in chunks, map columns, normalise records to one schema.

Writes `ingested/part-*.parquet` (the record schema plus `meta`, `input_file`,
`input_record`, `undecodable`) and quarantine records for input that is not a readable record.
"""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd

from .. import progress
from ..store import Run, utc_now
from .columns import FIELDS, content_id, normalise, parse_mapping, resolve_columns
from .encoding import sniff_file
from .readers import READERS, InputError, RawChunk, detect_format

TEXT_READERS = ("csv", "tsv", "jsonl", "json", "text")

QUARANTINE_COLUMNS = ["id", "reason", "detail", "stage", "input_file", "input_record", "title",
                      "source", "author", "text_preview"]

__all__ = ["ingest", "parse_mapping", "FIELDS", "QUARANTINE_COLUMNS", "quarantine_frame"]


def quarantine_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=QUARANTINE_COLUMNS)
    df["input_record"] = df["input_record"].astype("Int64")
    return df.astype({c: "string" for c in QUARANTINE_COLUMNS if c != "input_record"})


def _file_digest(path: Path) -> str:
    """SHA-256 of a file, or of a folder's file names and contents (unreadable files by name)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(os.fsencode(file.relative_to(path)))
        try:
            with open(file, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
        except OSError as exc:  # quarantined by the reader; the digest notes it
            digest.update(f"<unreadable: {exc.strerror}>".encode())
    return digest.hexdigest()


def _size(path: Path) -> int:
    if not path.is_dir():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


class _Ids:
    """Keeps ids unique across the run: generated ids get a suffix, given ids are checked."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def assign(self, df: pd.DataFrame) -> pd.Series:
        """Fill missing ids; return a mask of rows whose *given* id was already used."""
        dup_given = pd.Series(False, index=df.index)
        ids = [None if pd.isna(v) else v for v in df["id"].tolist()]
        fields = df[list(FIELDS)]
        records = (fields.astype(object).where(fields.notna(), None).to_dict("records")
                   if any(v is None for v in ids) else [])  # only needed to hash content
        for i, (pos, given) in enumerate(zip(df.index, ids)):
            if given is None:
                base = content_id(records[i])
                new, n = base, 1
                while new in self.seen:
                    n += 1
                    new = f"{base}-{n}"
                ids[i] = new
            elif given in self.seen:
                dup_given[pos] = True
                continue
            self.seen.add(ids[i])
        df["id"] = ids
        return dup_given


def ingest(run: Run, config: Mapping[str, Any], inputs: Iterable[str],
           mapping: Mapping[str, str] | None = None, fmt: str | None = None) -> dict[str, Any]:
    """Read every input into the run's `ingested` table; return the stage's counts.

    A file that cannot be read is reported in the manifest and quarantined as one record
    (`unreadable_input`); the other inputs are still read.
    """
    started = time.perf_counter()
    cfg = config["ingest"]
    mapping = dict(mapping or {})
    run.reset_table("ingested")
    run.reset_table("quarantine", prefix="ingest-")
    ids = _Ids()
    part = qpart = 0
    totals = {"records_read": 0, "ingested": 0, "quarantined": 0, "unparseable_dates": 0}
    inputs_info = []
    with progress.task("ingest", None) as advance:
        for spec in inputs:
            info: dict[str, Any] = {"input": str(spec), "records": 0, "quarantined": 0}
            qrows: list[dict[str, Any]] = []
            try:
                reader, source, chunks = open_input(str(spec), cfg, fmt, cfg["chunk_size"],
                                                    info)
                if isinstance(source, Path):
                    info["sha256"] = _file_digest(source)
                    info["bytes"] = _size(source)
                for chunk in chunks:
                    for bad in chunk.quarantine:
                        file = bad.pop("file", None)
                        qrows.append({**bad, "stage": "ingest",
                                      "input_file": _input_file(spec, reader, file)})
                    info["quarantined"] += len(chunk.quarantine)
                    if chunk.records:
                        df, qs = _normalise_chunk(chunk, mapping, cfg, spec, ids, info)
                        qrows.extend(qs)
                        if len(df):
                            run.write_part("ingested", part, df)
                            part += 1
                            info["records"] += len(df)
                    advance(len(chunk))
                    if len(qrows) >= cfg["chunk_size"]:
                        run.write_part("quarantine", qpart, quarantine_frame(qrows), "ingest-")
                        qpart += 1
                        qrows = []
            except (InputError, OSError, ValueError, KeyError) as exc:
                info["error"] = f"{type(exc).__name__}: {exc}"
                qrows.append({"reason": "unreadable_input", "detail": info["error"],
                              "stage": "ingest", "input_file": str(spec)})
                info["quarantined"] += 1
            if qrows:
                run.write_part("quarantine", qpart, quarantine_frame(qrows), "ingest-")
                qpart += 1
            info["records_read"] = info["records"] + info["quarantined"]
            totals["records_read"] += info["records_read"]
            totals["ingested"] += info["records"]
            totals["quarantined"] += info["quarantined"]
            totals["unparseable_dates"] += info.get("unparseable_dates", 0)
            inputs_info.append(info)
    run.update_manifest(inputs=inputs_info, mapping=mapping)
    result = {"started_at": utc_now(), "seconds": round(time.perf_counter() - started, 3),
              "counts": totals}
    run.record_stage("ingest", result)
    return result


def open_input(spec: str, cfg: Mapping[str, Any], fmt: str | None, chunk_size: int,
               info: dict[str, Any]) -> tuple[str, Any, Iterable[RawChunk]]:
    """(reader, source, chunks) of one input; `info` gets its `format` and, for a text file,
    the `encoding` and where it was decided (`encoding_from`). A file's encoding is decided
    once, here; a folder's per file by its reader."""
    reader, source = detect_format(spec, fmt)
    info["format"] = reader
    if isinstance(source, Path) and source.is_file() and reader in TEXT_READERS:
        info["encoding"], info["encoding_from"] = sniff_file(source, cfg["encoding"])
    chunks = READERS[reader](source, encoding=info.get("encoding", cfg["encoding"]),
                             chunk_size=chunk_size,
                             extensions=tuple(cfg["folder_extensions"]),
                             hf_split=cfg["hf_split"])
    return reader, source, chunks


def _input_file(spec: str, reader: str, file: str | None) -> str:
    """The file a record came from: the input itself, or the file inside a folder input."""
    return str(Path(spec) / file) if reader == "folder" and file else str(spec)


def _normalise_chunk(chunk: RawChunk, mapping, cfg, spec, ids: _Ids,
                     info) -> tuple[pd.DataFrame, list]:
    """Normalise one chunk; records that cannot be normalised become quarantine rows."""
    records = chunk.records
    files = [_input_file(spec, info["format"], f) for f in chunk.files]
    columns_seen: dict[str, None] = {}
    for record in records:
        columns_seen.update(dict.fromkeys(record))
    qrows: list[dict[str, Any]] = []
    try:
        columns = resolve_columns(columns_seen, mapping)
    except KeyError as exc:
        reason, detail = "unmapped_column", str(exc.args[0])
        columns = None
    else:
        reason = "missing_text_column"
        detail = (f"no text column found among {', '.join(c for c in columns_seen if not c.startswith('_'))}; "
                  f"name one with --map text=COLUMN")
    if columns is None or columns["text"] is None:
        for position, file in zip(chunk.positions, files):
            qrows.append({"reason": reason, "detail": detail, "stage": "ingest",
                          "input_file": file, "input_record": position})
        info["quarantined"] += len(records)
        info["columns"] = columns
        return pd.DataFrame(), qrows
    info["columns"] = columns
    df, bad_dates, rejected = normalise(records, columns, cfg["dayfirst"], chunk.positions,
                                        chunk.undecodable)
    for i, why, detail in rejected:
        qrows.append({"reason": why, "detail": detail, "stage": "ingest",
                      "input_file": files[i], "input_record": chunk.positions[i]})
    info["quarantined"] += len(rejected)
    dropped = {i for i, _, _ in rejected}
    df["input_file"] = [f for i, f in enumerate(files) if i not in dropped]
    info["unparseable_dates"] = info.get("unparseable_dates", 0) + bad_dates
    dup_given = ids.assign(df)
    if dup_given.any():
        for row in df[dup_given].astype(object).where(df[dup_given].notna(), None).to_dict(
                "records"):
            qrows.append({"id": row["id"], "reason": "duplicate_id",
                          "detail": f"id '{row['id']}' was already used by an earlier record",
                          "stage": "ingest", "input_file": row["input_file"],
                          "input_record": row["input_record"], "title": row["title"],
                          "source": row["source"], "author": row["author"],
                          "text_preview": (row["text"] or "")[:200]})
        info["quarantined"] += int(dup_given.sum())
        df = df[~dup_given]
    return df.reset_index(drop=True), qrows
