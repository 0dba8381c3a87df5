"""Readers: one function per input format, registered by name and file extension.

A reader streams a source as :class:`RawChunk` objects: the raw records (dicts of column ->
value) with each one's position in the source, and the quarantine records for input that could
not be read as a record (malformed lines, rows with the wrong number of fields, a quote that
never closes, a value that cannot be held). One bad line, value or file is one quarantine
record; its neighbours are still read.

Text files are decoded in `ingest.encoding`, or, when it is `auto`, in the encoding read from the
file's byte-order mark, HTML charset or content (see :mod:`.encoding`). Text that still does
not decode, and JSON's lone surrogate escapes, are replaced by U+FFFD and the record is flagged,
so the clean stage quarantines it with reason `undecodable_bytes`.
"""
from __future__ import annotations

import csv
import io
import json
import sys
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from .encoding import AUTO, sniff, sniff_file

csv.field_size_limit(sys.maxsize)


@dataclass
class RawChunk:
    """Raw records with, for each, its 1-based position in the source, whether it held text
    that did not decode, and the file it came from inside a folder input."""
    records: list[dict[str, Any]] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    undecodable: list[bool] = field(default_factory=list)
    files: list[str | None] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)

    def add(self, record: dict[str, Any], position: int, undecodable: bool = False,
            file: str | None = None) -> None:
        self.records.append(record)
        self.positions.append(position)
        self.undecodable.append(undecodable)
        self.files.append(file)

    def __len__(self) -> int:
        return len(self.records) + len(self.quarantine)


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


def _is_clean(value: str) -> bool:
    try:
        value.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def _scrub(value: Any) -> tuple[Any, bool]:
    """A value with undecodable text repaired (bytes decoded as UTF-8), and whether any was."""
    if isinstance(value, str):
        return (value, False) if _is_clean(value) else (_fix_surrogates(value), True)
    if isinstance(value, (bytes, bytearray)):
        return _scrub(bytes(value).decode("utf-8", errors="surrogateescape"))
    if isinstance(value, dict):
        out, bad = {}, False
        for key, item in value.items():
            key, bad_key = _scrub(key)
            out[key], bad_item = _scrub(item)
            bad = bad or bad_key or bad_item
        return out, bad
    if isinstance(value, (list, tuple)):
        items = [_scrub(item) for item in value]
        return [v for v, _ in items], any(b for _, b in items)
    return value, False


def _fix_surrogates(value: str) -> str:
    # surrogate escapes of undecodable bytes, and lone surrogates from JSON escapes, -> U+FFFD
    return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in value)


def _bad(position: int, reason: str, detail: str) -> dict[str, Any]:
    return {"input_record": position, "reason": reason, "detail": detail}


def _record(obj: dict[str, Any], position: int, where: str):
    """(record, undecodable, None) for a readable object, (None, None, quarantine row) else."""
    try:
        obj, undecodable = _scrub(obj)
    except RecursionError:
        return None, None, _bad(position, "malformed_record",
                                f"{where}: nested too deeply to be read as a record")
    return obj, undecodable, None


def _chunks(items: Iterator[tuple], chunk_size: int) -> Iterator[RawChunk]:
    """Group ("record", record, position, undecodable, file) and ("bad", row) items."""
    chunk = RawChunk()
    for item in items:
        if item[0] == "bad":
            chunk.quarantine.append(item[1])
        else:
            chunk.add(*item[1:])
        if len(chunk) >= chunk_size:
            yield chunk
            chunk = RawChunk()
    if len(chunk):
        yield chunk


def _open_text(path: Path, encoding: str) -> tuple[io.TextIOBase, str, str]:
    """Open a text file in `encoding` (or the detected one for `auto`); undecodable bytes are
    kept as surrogate escapes, to be repaired and flagged per record."""
    name, how = sniff_file(path, encoding)
    return open(path, newline="", encoding=name, errors="surrogateescape"), name, how


class _Lines:
    """A file's physical lines for `csv.reader`, remembering the lines of the current row;
    lines pushed back are read again (after a quote error, by a fresh reader)."""

    def __init__(self, fh: io.TextIOBase):
        self.fh = fh
        self.number = 0
        self.pending: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        if self.pending:
            item = self.pending.popleft()
        else:
            line = next(self.fh)  # StopIteration ends the reader
            self.number += 1
            item = (self.number, line)
        self.taken.append(item)
        return item[1]

    def row_lines(self) -> list[tuple[int, str]]:
        taken, self.taken = self.taken, []
        return taken


def _quote_error(lines: list[tuple[int, str]], delimiter: str) -> str | None:
    """Why the row's raw lines do not parse as one strictly quoted row, or None if they do."""
    raw = "".join(line for _, line in lines)
    try:
        rows = list(csv.reader(io.StringIO(raw, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        return str(exc)
    return None if len(rows) == 1 else f"the quoted text holds {len(rows)} rows"


def _dedupe(header: list[str]) -> list[str]:
    """Column names made unique the way pandas does (`text`, `text.1`), so no column is lost."""
    seen: dict[str, int] = {}
    out = []
    for name in header:
        n = seen.get(name, 0)
        seen[name] = n + 1
        out.append(name if n == 0 else f"{name}.{n}")
    return out


def _delimited(path: Path, delimiter: str, encoding: str, chunk_size: int) -> Iterator[RawChunk]:
    """CSV/TSV rows. A row whose quoting is broken (a quote that opens and never closes would
    swallow the rows after it) is reconciled line by line: its first physical line is
    quarantined and the lines after it are read again as rows."""
    def items():
        fh, _, _ = _open_text(path, encoding)
        with fh:
            lines = _Lines(fh)
            reader = csv.reader(lines, delimiter=delimiter)
            try:
                header = next(reader, None)
            except csv.Error as exc:
                raise InputError(f"{path}: the header line does not parse as "
                                 f"{'TSV' if delimiter == chr(9) else 'CSV'}: {exc}.")
            if header is None:
                return
            header = _dedupe([_fix_surrogates(h).strip().lstrip("\ufeff") for h in header])
            lines.row_lines()
            position = 0
            while True:
                try:
                    row = next(reader)
                    error = None
                except StopIteration:
                    break
                except csv.Error as exc:
                    row, error = None, str(exc)
                taken = lines.row_lines()
                if row is not None and not any(field.strip() for field in row) and len(row) <= 1:
                    continue  # a blank line is not a record
                if error is None and len(taken) > 1:
                    error = _quote_error(taken, delimiter)
                if error is not None:
                    position += 1
                    first, rest = taken[0], taken[1:]
                    lines.pending.extendleft(reversed(rest))
                    reader = csv.reader(lines, delimiter=delimiter)
                    yield "bad", _bad(position, "malformed_record",
                                      f"line {first[0]}: broken quoting ({error}); the lines "
                                      f"after it are read as rows")
                    continue
                position += 1
                if len(row) != len(header):
                    yield "bad", _bad(position, "malformed_record",
                                      f"line {taken[0][0]}: expected {len(header)} fields, "
                                      f"got {len(row)}")
                    continue
                record, undecodable, bad = _record(dict(zip(header, row)), position,
                                                   f"line {taken[0][0]}")
                yield ("bad", bad) if bad else ("record", record, position, undecodable, None)
    return _chunks(items(), chunk_size)


@register("csv", ".csv")
def read_csv(path: Path, *, encoding: str = AUTO, chunk_size: int = 5000, **_: Any):
    return _delimited(path, ",", encoding, chunk_size)


@register("tsv", ".tsv", ".tab")
def read_tsv(path: Path, *, encoding: str = AUTO, chunk_size: int = 5000, **_: Any):
    return _delimited(path, "\t", encoding, chunk_size)


def _load_json(line: str):
    """json.loads; every way a line can fail to be a value raises ValueError."""
    try:
        return json.loads(line)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ValueError(exc.msg) from None


@register("jsonl", ".jsonl", ".ndjson")
def read_jsonl(path: Path, *, encoding: str = AUTO, chunk_size: int = 5000, **_: Any):
    def items():
        fh, _, _ = _open_text(path, encoding)
        with fh:
            position = 0
            for line_no, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                position += 1
                try:
                    obj = _load_json(line.lstrip("\ufeff"))
                except ValueError as exc:  # also ints beyond Python's digit limit
                    yield "bad", _bad(position, "malformed_record", f"line {line_no}: {exc}")
                    continue
                if not isinstance(obj, dict):
                    yield "bad", _bad(position, "malformed_record",
                                      f"line {line_no}: expected a JSON object, got "
                                      f"{type(obj).__name__}")
                    continue
                record, undecodable, bad = _record(obj, position, f"line {line_no}")
                yield ("bad", bad) if bad else ("record", record, position, undecodable, None)
    return _chunks(items(), chunk_size)


@register("json", ".json")
def read_json(path: Path, *, encoding: str = AUTO, chunk_size: int = 5000, **_: Any):
    """A JSON array of objects, or an object holding one under `data`, `records` or `items`.

    The array is parsed whole; for corpora larger than memory use JSONL or Parquet.
    """
    fh, _, _ = _open_text(path, encoding)
    with fh:
        text = fh.read().lstrip("\ufeff")
    try:
        obj = _load_json(text)
    except ValueError as exc:
        raise InputError(f"{path} is not valid JSON ({exc}); for one object per line use the "
                         f".jsonl extension or --format jsonl.")
    if isinstance(obj, dict):
        for key in ("data", "records", "items", "rows"):
            if isinstance(obj.get(key), list):
                obj = obj[key]
                break
    if not isinstance(obj, list):
        raise InputError(f"{path}: expected a JSON array of objects (or an object with a "
                         f"'data'/'records' array), got {type(obj).__name__}.")

    def items():
        for position, item in enumerate(obj, start=1):
            if not isinstance(item, dict):
                yield "bad", _bad(position, "malformed_record",
                                  f"array item {position}: expected an object, got "
                                  f"{type(item).__name__}")
                continue
            record, undecodable, bad = _record(item, position, f"array item {position}")
            yield ("bad", bad) if bad else ("record", record, position, undecodable, None)
    return _chunks(items(), chunk_size)


def _rows(batch: pa.RecordBatch) -> list[dict[str, Any]]:
    """A batch's rows as dicts; timestamps Python cannot hold (year 10000) become strings,
    which the date parser then counts as unparseable."""
    try:
        return batch.to_pylist()
    except (OverflowError, ValueError):
        columns = [c.cast(pa.string()) if pa.types.is_temporal(c.type) else c
                   for c in batch.columns]
        return pa.RecordBatch.from_arrays(columns, names=batch.schema.names).to_pylist()


def _table_items(batches: Iterator[pa.RecordBatch]):
    position = 0
    for batch in batches:
        for row in _rows(batch):
            position += 1
            record, undecodable, bad = _record(row, position, f"row {position}")
            yield ("bad", bad) if bad else ("record", record, position, undecodable, None)


@register("parquet", ".parquet", ".pq")
def read_parquet(path: Path, *, chunk_size: int = 5000, **_: Any):
    return _chunks(_table_items(pq.ParquetFile(path).iter_batches(batch_size=chunk_size)),
                   chunk_size)


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
    """One record per file; a file that cannot be read is one quarantine row naming it."""
    def items():
        for position, file in enumerate(files, start=1):
            name = _fix_surrogates(str(file.relative_to(root)))
            try:
                data = file.read_bytes()
            except OSError as exc:
                yield "bad", {**_bad(position, "unreadable_file",
                                     f"{name}: {exc.strerror or exc}"), "file": name}
                continue
            suffix = file.suffix.lower()
            enc, _ = sniff(data[:1 << 20], encoding, html=suffix in (".html", ".htm"))
            try:
                text = data.decode(enc, errors="surrogateescape")
            except LookupError:
                raise InputError(f"unknown encoding '{enc}'; set ingest.encoding to a Python "
                                 f"codec name or to 'auto'.")
            text = text.lstrip("\ufeff")
            title = _html_title(text) if suffix in (".html", ".htm") else (
                _md_title(text) if suffix == ".md" else None)
            record, undecodable, _ = _record({"text": text, "title": title, "path": name},
                                             position, name)
            yield "record", record, position, undecodable, name
    return _chunks(items(), chunk_size)


@register("folder")
def read_folder(path: Path, *, encoding: str = AUTO, chunk_size: int = 5000,
                extensions: tuple[str, ...] = (".txt", ".md", ".html", ".htm"), **_: Any):
    """Every regular file with one of `extensions` below `path` (recursive) is one record."""
    files = sorted(p for p in path.rglob("*") if p.suffix.lower() in extensions and p.is_file())
    return _text_files(files, path, encoding, chunk_size)


@register("text", ".txt", ".md", ".html", ".htm")
def read_text_file(path: Path, *, encoding: str = AUTO, chunk_size: int = 5000, **_: Any):
    """A single text, Markdown or HTML file is one record."""
    return _text_files([path], path.parent, encoding, chunk_size)


def _is_saved_dataset(path: Path) -> bool:
    return path.is_dir() and any(
        (path / name).exists() for name in ("dataset_info.json", "state.json",
                                            "dataset_dict.json"))


def _iter_hf(dataset, chunk_size: int) -> Iterator[RawChunk]:
    def items():
        position = 0
        for batch in dataset.iter(batch_size=chunk_size):
            columns = list(batch)
            for i in range(len(batch[columns[0]]) if columns else 0):
                position += 1
                record, undecodable, bad = _record({c: batch[c][i] for c in columns},
                                                   position, f"row {position}")
                yield ("bad", bad) if bad else ("record", record, position, undecodable, None)
    return _chunks(items(), chunk_size)


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


def _regular(path: Path) -> Path:
    """A file or folder; a FIFO, socket or device would block or never end."""
    if not (path.is_file() or path.is_dir()):
        raise InputError(f"input {path} is not a regular file or folder (a FIFO, socket or "
                         f"device); copy its content to a file first.")
    return path


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
        return forced, _regular(path)
    if not path.exists():
        raise InputError(f"input {path} does not exist.")
    _regular(path)
    if path.is_dir():
        return ("hf-disk" if _is_saved_dataset(path) else "folder"), path
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: unknown extension '{path.suffix}'; known: "
                         f"{', '.join(sorted(EXTENSIONS))}, or pass --format.")
    return fmt, path


