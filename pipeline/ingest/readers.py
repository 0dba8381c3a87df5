"""Readers: one function per input format, registered by name and file extension.

A reader streams a source as :class:`RawChunk` objects: a list of raw records (dicts of
column -> value, each with its position in the source) and the quarantine records for input
that could not be read as a record (malformed lines, rows with the wrong number of fields).
Text that does not decode in the configured encoding is decoded with replacement characters
and flagged, so the clean stage can quarantine it with reason `undecodable_bytes`.
"""
from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pyarrow.parquet as pq

UNDECODABLE = "_undecodable"  # flag key set on a raw record whose bytes did not decode

csv.field_size_limit(sys.maxsize)


@dataclass
class RawChunk:
    records: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)


class InputError(ValueError):
    """An input cannot be read at all (unknown format, missing file, offline hub name)."""


Reader = Callable[..., Iterator[RawChunk]]
READERS: dict[str, Reader] = {}
EXTENSIONS: dict[str, str] = {}


def register(name: str, *extensions: str) -> Callable[[Reader], Reader]:
    def deco(func: Reader) -> Reader:
        READERS[name] = func
        for ext in extensions:
            EXTENSIONS[ext] = name
        return func
    return deco


def _has_surrogates(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)


def _repair(value: str) -> str:
    """Replace undecodable bytes (kept as surrogates) by U+FFFD."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _mark_undecodable(record: dict[str, Any]) -> dict[str, Any]:
    bad = False
    for key, value in record.items():
        if isinstance(value, str) and _has_surrogates(value):
            record[key] = _repair(value)
            bad = True
    if bad:
        record[UNDECODABLE] = True
    return record


def _bad(line: int, reason: str, detail: str) -> dict[str, Any]:
    return {"input_record": line, "reason": reason, "detail": detail}


def _chunks(rows: Iterator[tuple[dict[str, Any] | None, dict[str, Any] | None]],
            chunk_size: int) -> Iterator[RawChunk]:
    chunk = RawChunk()
    for record, bad in rows:
        if record is not None:
            chunk.records.append(record)
        if bad is not None:
            chunk.quarantine.append(bad)
        if len(chunk.records) + len(chunk.quarantine) >= chunk_size:
            yield chunk
            chunk = RawChunk()
    if chunk.records or chunk.quarantine:
        yield chunk


def _delimited(path: Path, delimiter: str, encoding: str, chunk_size: int) -> Iterator[RawChunk]:
    def rows():
        with open(path, newline="", encoding=encoding, errors="surrogateescape") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            header = next(reader, None)
            if header is None:
                return
            header = [_repair(h).strip().lstrip("\ufeff") for h in header]
            index = 0
            for row in reader:
                if not row:  # blank line: not a record
                    continue
                index += 1
                if len(row) != len(header):
                    yield None, _bad(index, "malformed_record",
                                     f"line {reader.line_num}: expected {len(header)} fields, "
                                     f"got {len(row)}")
                    continue
                record = dict(zip(header, row))
                record["_record"] = index
                yield _mark_undecodable(record), None
    return _chunks(rows(), chunk_size)


@register("csv", ".csv")
def read_csv(path: Path, *, encoding: str = "utf-8", chunk_size: int = 5000, **_: Any):
    return _delimited(path, ",", encoding, chunk_size)


@register("tsv", ".tsv", ".tab")
def read_tsv(path: Path, *, encoding: str = "utf-8", chunk_size: int = 5000, **_: Any):
    return _delimited(path, "\t", encoding, chunk_size)


@register("jsonl", ".jsonl", ".ndjson")
def read_jsonl(path: Path, *, encoding: str = "utf-8", chunk_size: int = 5000, **_: Any):
    def rows():
        with open(path, "rb") as fh:
            index = 0
            for line_no, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                index += 1
                line = raw.decode(encoding, errors="surrogateescape")
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield None, _bad(index, "malformed_record", f"line {line_no}: {exc.msg}")
                    continue
                if not isinstance(obj, dict):
                    yield None, _bad(index, "malformed_record",
                                     f"line {line_no}: expected a JSON object, got "
                                     f"{type(obj).__name__}")
                    continue
                obj["_record"] = index
                yield _mark_undecodable(obj), None
    return _chunks(rows(), chunk_size)


@register("json", ".json")
def read_json(path: Path, *, encoding: str = "utf-8", chunk_size: int = 5000, **_: Any):
    """A JSON array of objects, or an object holding one under `data`, `records` or `items`.

    The array is parsed whole; for corpora larger than memory use JSONL or Parquet.
    """
    text = path.read_bytes().decode(encoding, errors="surrogateescape")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not valid JSON (line {exc.lineno}: {exc.msg}); "
                         f"for one object per line use the .jsonl extension or --format jsonl.")
    if isinstance(obj, dict):
        for key in ("data", "records", "items", "rows"):
            if isinstance(obj.get(key), list):
                obj = obj[key]
                break
    if not isinstance(obj, list):
        raise InputError(f"{path}: expected a JSON array of objects (or an object with a "
                         f"'data'/'records' array), got {type(obj).__name__}.")

    def rows():
        for index, item in enumerate(obj, start=1):
            if not isinstance(item, dict):
                yield None, _bad(index, "malformed_record",
                                 f"array item {index}: expected an object, got "
                                 f"{type(item).__name__}")
                continue
            item["_record"] = index
            yield _mark_undecodable(item), None
    return _chunks(rows(), chunk_size)


@register("parquet", ".parquet", ".pq")
def read_parquet(path: Path, *, chunk_size: int = 5000, **_: Any):
    def chunks():
        index = 0
        for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_size):
            records = batch.to_pylist()
            for record in records:
                index += 1
                record["_record"] = index
            yield RawChunk(records=records)
    return chunks()


def _html_title(text: str) -> str | None:
    start = text.lower().find("<title")
    if start < 0:
        return None
    start = text.find(">", start) + 1
    end = text.lower().find("</title>", start)
    return text[start:end].strip() or None if end > start else None


def _md_title(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip():
            return line.lstrip("# ").strip() if line.startswith("#") else None
    return None


def _text_files(files: list[Path], root: Path, encoding: str, chunk_size: int):

    def rows():
        for index, file in enumerate(files, start=1):
            try:
                text = file.read_bytes().decode(encoding, errors="surrogateescape")
            except OSError as exc:
                yield None, _bad(index, "unreadable_file", f"{file}: {exc.strerror}")
                continue
            suffix = file.suffix.lower()
            title = _html_title(text) if suffix in (".html", ".htm") else (
                _md_title(text) if suffix == ".md" else None)
            record = {"text": text, "title": title, "path": str(file.relative_to(root)),
                      "_record": index}
            yield _mark_undecodable(record), None
    return _chunks(rows(), chunk_size)


@register("folder")
def read_folder(path: Path, *, encoding: str = "utf-8", chunk_size: int = 5000,
                extensions: tuple[str, ...] = (".txt", ".md", ".html", ".htm"), **_: Any):
    """Every file with one of `extensions` below `path` (recursive) is one record."""
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in extensions)
    return _text_files(files, path, encoding, chunk_size)


@register("text", ".txt", ".md", ".html", ".htm")
def read_text_file(path: Path, *, encoding: str = "utf-8", chunk_size: int = 5000, **_: Any):
    """A single text, Markdown or HTML file is one record."""
    return _text_files([path], path.parent, encoding, chunk_size)


def _is_saved_dataset(path: Path) -> bool:
    return path.is_dir() and any(
        (path / name).exists() for name in ("dataset_info.json", "state.json",
                                            "dataset_dict.json"))


def _iter_hf(dataset, chunk_size: int) -> Iterator[RawChunk]:
    index = 0
    for batch in dataset.iter(batch_size=chunk_size):
        columns = list(batch)
        n = len(batch[columns[0]]) if columns else 0
        records = []
        for i in range(n):
            index += 1
            record = {c: batch[c][i] for c in columns}
            record["_record"] = index
            records.append(record)
        yield RawChunk(records=records)


def _select_split(dataset, split: str):
    from datasets import DatasetDict, IterableDatasetDict, concatenate_datasets
    if isinstance(dataset, (DatasetDict, IterableDatasetDict)):
        if split:
            if split not in dataset:
                raise InputError(f"split '{split}' not in the dataset; it has "
                                 f"{', '.join(dataset)} (set ingest.hf_split).")
            return dataset[split]
        if isinstance(dataset, DatasetDict):
            return concatenate_datasets(list(dataset.values()))
        raise InputError("the streamed dataset has several splits; name one with "
                         f"--set ingest.hf_split=... (one of {', '.join(dataset)}).")
    return dataset


@register("hf-disk")
def read_hf_disk(path: Path, *, chunk_size: int = 5000, hf_split: str = "", **_: Any):
    """A dataset saved with `datasets.save_to_disk` (a Dataset or a DatasetDict)."""
    from datasets import load_from_disk
    return _iter_hf(_select_split(load_from_disk(str(path)), hf_split), chunk_size)


_HF_BUILDERS = {".csv": "csv", ".tsv": "csv", ".json": "json", ".jsonl": "json",
                ".ndjson": "json", ".parquet": "parquet", ".txt": "text"}


@register("hf-files")
def read_hf_files(path: Path, *, chunk_size: int = 5000, hf_split: str = "", **_: Any):
    """Data files read through `datasets.load_dataset(<builder>, data_files=...)`, streamed."""
    from datasets import load_dataset
    builder = _HF_BUILDERS.get(path.suffix.lower())
    if builder is None:
        raise InputError(f"{path}: no datasets builder for '{path.suffix}'; supported: "
                         f"{', '.join(sorted(_HF_BUILDERS))}.")
    kwargs = {"delimiter": "\t"} if path.suffix.lower() == ".tsv" else {}
    dataset = load_dataset(builder, data_files=str(path), split=hf_split or "train",
                           streaming=True, **kwargs)
    return _iter_hf(dataset, chunk_size)


@register("hf-hub")
def read_hf_hub(name: str, *, chunk_size: int = 5000, hf_split: str = "", **_: Any):
    """A dataset on the Hugging Face hub by name (`hf:owner/name`); needs network access."""
    import os
    from datasets import load_dataset
    if os.environ.get("HF_DATASETS_OFFLINE") == "1" or os.environ.get("HF_HUB_OFFLINE") == "1":
        raise InputError(f"hf:{name} is a hub dataset but the hub is disabled "
                         f"(HF_HUB_OFFLINE/HF_DATASETS_OFFLINE=1); download it first and "
                         f"pass the save_to_disk folder or the data files.")
    try:
        dataset = load_dataset(name, split=hf_split or None, streaming=True)
    except Exception as exc:  # network, auth, missing dataset: all are input errors here
        raise InputError(f"hf:{name} could not be loaded from the hub: {exc}") from exc
    return _iter_hf(_select_split(dataset, hf_split), chunk_size)


def detect_format(spec: str, forced: str | None = None) -> tuple[str, Any]:
    """Return (reader name, source) for an input spec: a path or `hf:NAME`."""
    if spec.startswith("hf:"):
        return "hf-hub", spec[3:]
    path = Path(spec)
    if forced:
        if forced not in READERS:
            raise InputError(f"unknown format '{forced}'; known: {', '.join(sorted(READERS))}.")
        if forced == "hf-hub":
            return forced, spec
        if not path.exists():
            raise InputError(f"input {path} does not exist.")
        return forced, path
    if not path.exists():
        raise InputError(f"input {path} does not exist.")
    if path.is_dir():
        return ("hf-disk" if _is_saved_dataset(path) else "folder"), path
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown extension '{path.suffix}'; known: "
                         f"{', '.join(sorted(EXTENSIONS))}, or pass --format.")
    return fmt, path


