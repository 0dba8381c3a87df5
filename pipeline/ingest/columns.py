"""Column detection, `--map` overrides and normalisation to the record schema."""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Iterable, Mapping

import pandas as pd

# The record schema every reader's output is normalised to (plus pass-through `meta`).
FIELDS = ("id", "text", "title", "source", "author", "published_at", "url", "lang")

# Column names recognised per field, in order of preference (compared case-insensitively,
# ignoring spaces, dashes and underscores).
CANDIDATES: dict[str, tuple[str, ...]] = {
    "id": ("id", "doc_id", "document_id", "post_id", "tweet_id", "message_id", "uid", "guid"),
    "text": ("text", "content", "body", "message", "full_text", "summary", "description",
             "post", "article", "tweet"),
    "title": ("title", "headline", "heading", "subject"),
    "source": ("source", "outlet", "outlets", "domain", "publisher", "site", "media",
               "channel", "source_name"),
    "author": ("author", "account", "user", "username", "screen_name", "handle", "user_name",
               "byline", "authors"),
    "published_at": ("published_at", "date", "timestamp", "created_at", "published",
                     "publish_date", "datetime", "time", "pubdate"),
    "url": ("url", "link", "permalink", "href", "uri"),
    "lang": ("lang", "language", "locale"),
}


# Keys that name an account or outlet inside a nested object (Twitter v1.1 `user`, twarc2's
# `author`, a `source` object), in order of preference.
NAME_KEYS = ("screen_name", "username", "handle", "name", "title", "id_str", "id")


class MappingError(ValueError):
    """A `--map` option is malformed or names an unknown field."""


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(name).lower())


def parse_mapping(items: Iterable[str]) -> dict[str, str]:
    """Parse `--map field=column` options into {field: column}."""
    mapping: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise MappingError(f"--map expects field=column (e.g. text=title); got {item!r}.")
        field, column = (s.strip() for s in item.split("=", 1))
        if field not in FIELDS:
            raise MappingError(f"--map: unknown field '{field}'; fields are "
                               f"{', '.join(FIELDS)}.")
        if not column:
            raise MappingError(f"--map {field}= needs a column name.")
        mapping[field] = column
    return mapping


def resolve_columns(columns: Iterable[str], mapping: Mapping[str, str]) -> dict[str, str | None]:
    """Decide which input column feeds each field: `--map` first, then the known names.

    A mapped column that the input lacks raises KeyError naming the columns it has.
    """
    columns = list(columns)
    by_key = {}
    for column in columns:
        by_key.setdefault(_key(column), column)
    resolved: dict[str, str | None] = {}
    taken = set(mapping.values())
    for field in FIELDS:
        if field in mapping:
            if mapping[field] not in columns and mapping[field].split(".")[0] not in columns:
                raise KeyError(f"--map {field}={mapping[field]}: no such column; the input "
                               f"has {', '.join(map(str, columns))}.")
            resolved[field] = mapping[field]
            continue
        resolved[field] = None
        for name in CANDIDATES[field]:
            column = by_key.get(_key(name))
            if column is not None and column not in taken:
                resolved[field] = column
                taken.add(column)
                break
    return resolved


def lookup(record: Mapping[str, Any], column: str) -> Any:
    """A record's value for a column; `a.b` reaches into nested objects (`user.screen_name`,
    `author.username`) when the record has no column of that exact name."""
    if column in record or "." not in column:
        return record.get(column)
    value: Any = record
    for key in column.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _as_str(value: Any) -> str | None:
    """A metadata value as text: lists joined with "+", an object by its name (`screen_name`,
    `username`, `name`...) or else as JSON; never a Python repr."""
    if value is None:
        return None
    if isinstance(value, float) and pd.isna(value):
        return None
    if isinstance(value, Mapping):
        name = next((value[k] for k in NAME_KEYS if isinstance(value.get(k), (str, int))
                     and str(value[k]).strip()), None)
        value = name if name is not None else _json(value)
    if isinstance(value, (list, tuple)):
        value = "+".join(v if isinstance(v, str) else (_as_str(v) or "") for v in value)
    elif isinstance(value, bool):
        value = _json(value)
    text = str(value)
    return text if text.strip() else None


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def content_id(record: Mapping[str, Any]) -> str:
    """A stable id from the record's content, for inputs that carry none."""
    payload = json.dumps([record.get(f) for f in FIELDS[1:]], ensure_ascii=False)
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()[:16]


def _to_utc(values: pd.Series, dayfirst: bool) -> pd.Series:
    """pd.to_datetime, value by value where one value is out of range for the whole batch."""
    kwargs = {"utc": True, "errors": "coerce", "format": "mixed", "dayfirst": dayfirst}
    try:
        return pd.to_datetime(values, **kwargs).astype("datetime64[ns, UTC]")
    except (OverflowError, pd.errors.OutOfBoundsDatetime, ValueError):
        out = []
        for value in values:
            try:
                out.append(pd.Timestamp(pd.to_datetime(value, **kwargs)).as_unit("ns"))
            except (OverflowError, pd.errors.OutOfBoundsDatetime, ValueError):
                out.append(pd.NaT)
        return pd.Series(out, index=values.index, dtype="datetime64[ns, UTC]")


def parse_dates(raw: pd.Series, dayfirst: bool) -> pd.Series:
    """Parse dates to UTC ISO 8601 strings; unparseable values become None.

    Naive times are taken as UTC; numbers of 10 or 13 digits (with or without decimals) as
    Unix seconds or milliseconds. Dates outside 1677-2262 (pandas' range, which holds every
    real publication date) are unparseable, like sentinels such as 9999-12-31.
    """
    out = pd.Series([None] * len(raw), index=raw.index, dtype=object)
    present = raw.notna() & (raw.astype(str).str.strip() != "")
    if not present.any():
        return out
    values = raw[present].astype(str).str.strip()
    epoch = values.str.fullmatch(r"\d{10}(\d{3})?(\.\d*)?")
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    if epoch.any():
        number = values[epoch].astype("float64")
        ms = values[epoch].str.split(".").str[0].str.len() == 13
        seconds = number.where(~ms, number / 1000)
        parsed[epoch] = pd.to_datetime(seconds, unit="s", utc=True).dt.floor("s")
    # ISO 8601 is never day-first, whatever the setting says
    iso = values.str.match(r"\d{4}-\d{2}-\d{2}") & ~epoch
    for mask, first in ((iso, False), (~epoch & ~iso, dayfirst)):
        if mask.any():
            parsed[mask] = _to_utc(values[mask], first)
    ok = parsed.notna()
    out[ok[ok].index] = parsed[ok].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return out


def normalise(records: list[dict[str, Any]], columns: Mapping[str, str | None],
              dayfirst: bool, positions: list[int], undecodable: list[bool],
              ) -> tuple[pd.DataFrame, int, list[tuple[int, str, str]]]:
    """Records -> DataFrame in the record schema.

    Returns the frame, the unparseable-date count and the records that cannot be normalised
    as (index in `records`, reason, detail): a text value that is not text (a number, a
    boolean, an object) is `invalid_text`, never analysed as its Python repr.
    """
    used = {c for c in columns.values() if c is not None}
    rows, rejected = [], []
    for i, record in enumerate(records):
        text = lookup(record, columns["text"])
        if text is not None and not isinstance(text, str):
            rejected.append((i, "invalid_text",
                             f"column '{columns['text']}' holds a {type(text).__name__} "
                             f"({_json(text)[:60]}), not text; map another column with "
                             f"--map text=COLUMN"))
            continue
        try:
            row = {field: (_as_str(lookup(record, col)) if col is not None else None)
                   for field, col in columns.items()}
            meta = {k: v for k, v in record.items() if k not in used}
            row["meta"] = _json(meta) if meta else None
        except (RecursionError, ValueError) as exc:
            rejected.append((i, "malformed_record", f"cannot be held as a record: {exc}"))
            continue
        row["input_record"] = positions[i]
        row["undecodable"] = undecodable[i]
        rows.append(row)
    df = pd.DataFrame(rows, columns=[*FIELDS, "meta", "input_record", "undecodable"])
    raw_dates = df["published_at"].copy()
    df["published_at"] = parse_dates(raw_dates, dayfirst)
    df = df.astype({c: "string" for c in (*FIELDS, "meta")})
    bad_dates = int((raw_dates.notna() & df["published_at"].isna()).sum())
    return df, bad_dates, rejected
