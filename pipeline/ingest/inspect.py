"""`disinfo inspect`: how an input would be read, before a run (like spaCy's `debug data`).

For each input: the format and encoding detected, the columns found, which column each
record field would come from (after `--map`), and the first records as the ingest stage
would normalise them, with what would be quarantined among them and why. Nothing is written.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from . import open_input
from .columns import FIELDS, normalise, resolve_columns
from .readers import InputError


def inspect_input(spec: str, config: Mapping[str, Any], mapping: Mapping[str, str] | None = None,
                  fmt: str | None = None, sample: int = 5) -> dict[str, Any]:
    """What ingesting `spec` would do with its first `sample` records."""
    cfg = config["ingest"]
    out: dict[str, Any] = {"input": spec}
    try:
        _, _, chunks = open_input(spec, cfg, fmt, max(sample, 1), out)
        chunk = next(iter(chunks), None)
    except (InputError, OSError, ValueError, KeyError) as exc:
        out["error"] = f"{type(exc).__name__}: {exc}"
        return out
    if chunk is None:
        out.update(columns=[], mapping={}, records=[], quarantined=[])
        return out
    records = chunk.records[:sample]
    seen: dict[str, None] = {}
    for record in records:
        seen.update(dict.fromkeys(record))
    out["columns"] = list(seen)
    out["quarantined"] = [{k: v for k, v in q.items() if k in ("reason", "detail")}
                          for q in chunk.quarantine[:sample]]
    try:
        columns = resolve_columns(seen, dict(mapping or {}))
    except KeyError as exc:
        out["error"] = str(exc.args[0])
        return out
    out["mapping"] = {field: columns.get(field) for field in FIELDS}
    if columns["text"] is None:
        out["error"] = (f"no text column found among {', '.join(seen)}; name one with "
                        f"--map text=COLUMN")
        return out
    frame, bad_dates, rejected = normalise(records, columns, cfg["dayfirst"],
                                           chunk.positions[:len(records)],
                                           chunk.undecodable[:len(records)])
    out["records"] = frame.drop(columns=[c for c in ("undecodable",) if c in frame]
                                ).to_dict("records")
    out["unparseable_dates"] = bad_dates
    out["quarantined"] += [{"reason": why, "detail": detail} for _, why, detail in rejected]
    return out


def inspect_inputs(inputs: Iterable[str], config: Mapping[str, Any],
                   mapping: Mapping[str, str] | None = None, fmt: str | None = None,
                   sample: int = 5) -> list[dict[str, Any]]:
    return [inspect_input(spec, config, mapping, fmt, sample) for spec in inputs]
