"""Stage `clean`: repair, extract, normalise, identify language, mark duplicates, quarantine.

Reads `ingested`, writes `cleaned` (analysable records) and `quarantine` parts with a reason
code per record:

| reason                 | when                                                        |
|------------------------|-------------------------------------------------------------|
| `undecodable_bytes`    | the input bytes did not decode in `ingest.encoding`         |
| `html_without_text`    | the record is HTML and no text could be extracted           |
| `empty_text`           | no text at all after cleaning                               |
| `too_short`            | fewer than `clean.min_chars` non-space characters           |
| `too_long`             | more than `clean.max_chars` characters                      |
| `unsupported_language` | language not in `clean.keep_languages` (when that is set)   |
| `duplicate`            | exact or near duplicate, when `clean.dedupe.drop` is true   |
| `clean_error`          | cleaning the record raised an error (the detail says which) |

Duplicates are otherwise kept and marked (`dup_of`, `near_dup_of`, `is_duplicate`).

An HTML record also gets the metadata trafilatura reads from the page, for each field the
input left empty: `title`, `published_at` (the page's date), `source` (the site name, else
the host name, which the outlet registry then resolves), `url` and `author`.
"""
from __future__ import annotations

import re
import time
from typing import Any, Mapping

import ftfy
import lxml.etree
import lxml.html
import pandas as pd
import trafilatura

from . import progress
from .dedupe import Deduplicator, Signer
from .engines import LocalEngine
from .features.langid import detect_language
from .ingest import quarantine_frame
from .ingest.columns import parse_dates
from .store import Run, read_part, utc_now

_HTML = re.compile(r"^\s*<(!doctype|html|head|body)\b|<(p|div|article|body|br|span|table|"
                   r"section|h[1-6])\b[^>]*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_NEWLINES = re.compile(r"\s*\n\s*\n\s*")
_LINE = re.compile(r" *\n *")


CLEANED_TYPES = {"id": "string", "text": "string", "title": "string", "source": "string",
                 "author": "string", "published_at": "string", "url": "string",
                 "lang": "string", "meta": "string", "input_file": "string",
                 "input_record": "int64", "is_html": "bool", "lang_detected": "string",
                 "lang_confidence": "float64", "dup_of": "string", "near_dup_of": "string",
                 "is_duplicate": "bool"}


def is_html(text: str) -> bool:
    return bool(_HTML.search(text[:5000]))


HTML_FIELDS = ("title", "published_at", "source", "url", "author")


def extract_html(text: str) -> tuple[str, dict[str, str]]:
    """Main text and metadata of an HTML document (trafilatura; its plain-text fallback).

    The metadata holds the fields of HTML_FIELDS that trafilatura found on the page.
    """
    doc = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False,
                                      favor_recall=True)
    body = doc.text if doc is not None and doc.text else trafilatura.html2txt(text)
    if not body:  # fragments trafilatura declines: the visible text, scripts and styles removed
        try:
            tree = lxml.html.fromstring(text)
        except (lxml.etree.ParserError, ValueError):
            tree = None
        if tree is not None:
            for bad in tree.xpath("//script|//style|//noscript"):
                bad.drop_tree()
            body = tree.text_content()
    meta: dict[str, str] = {}
    if doc is not None:
        found = {"title": doc.title, "published_at": doc.date,
                 "source": doc.sitename or doc.hostname, "url": doc.url, "author": doc.author}
        meta = {k: v.strip() for k, v in found.items() if isinstance(v, str) and v.strip()}
    return body or "", meta


def normalise_whitespace(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", text)
    text = _NEWLINES.sub("\n\n", text)
    text = _LINE.sub("\n", text)
    return text.strip()


def clean_text(raw: str, cfg: Mapping[str, Any]) -> tuple[str, bool, dict[str, str]]:
    """Cleaned text, whether it was HTML, and the page's metadata (extract_html) if it was."""
    html = cfg["extract_html"] and is_html(raw)
    meta: dict[str, str] = {}
    text = raw
    if html:
        text, meta = extract_html(raw)
    if cfg["fix_unicode"]:
        text = ftfy.fix_text(text, uncurl_quotes=False)
    return normalise_whitespace(text), html, meta


def _quarantine_row(row: Mapping[str, Any], reason: str, detail: str) -> dict[str, Any]:
    return {"id": row["id"], "reason": reason, "detail": detail, "stage": "clean",
            "input_file": row["input_file"], "input_record": row["input_record"],
            "title": row["title"], "source": row["source"], "author": row["author"],
            "text_preview": (row["text"] or "")[:200]}


def clean(run: Run, config: Mapping[str, Any], engine=None) -> dict[str, Any]:
    """Clean every ingested record into `cleaned` or `quarantine`; return the stage's counts.

    Each ingested part is cleaned by a part task (`clean_part`, on `engine`: by default in
    this process); duplicates are then marked here, in input order, so that the first of
    identical records is the one kept, whatever the engine."""
    started = time.perf_counter()
    cfg = config["clean"]
    dd = cfg["dedupe"]
    dedup = Deduplicator(run.path / ".dedupe.sqlite", dd["threshold"], dd["num_perm"],
                         dd["shingle_words"], dd["near"], dd["exact"])
    engine = engine or LocalEngine()
    run.reset_table("cleaned")
    run.reset_table("quarantine", prefix="clean-")
    counts: dict[str, int] = {"input": 0, "analysed": 0, "quarantined": 0, "html_extracted": 0,
                              "html_metadata": 0, "unicode_repaired": 0, "exact_duplicates": 0,
                              "near_duplicates": 0}
    reasons: dict[str, int] = {}
    parts = [str(p) for p in run.parts("ingested")]
    total = run.count_rows("ingested") if parts else 0
    with dedup, progress.task("clean", total) as advance:
        for index, (records, part_counts) in enumerate(
                engine.map(clean_part, parts, cfg, dedup.signer)):
            for key, value in part_counts.items():
                counts[key] += value
            kept, qrows = [], []
            for row, reason, detail, signature in records:
                if reason is None:
                    try:
                        reason, detail = _mark_duplicate(row, signature, dedup, cfg, counts)
                    except Exception as exc:  # one bad record must not stop the run
                        reason, detail = "clean_error", f"{type(exc).__name__}: {exc}"
                if reason:
                    qrows.append(_quarantine_row(row, reason, detail))
                    reasons[reason] = reasons.get(reason, 0) + 1
                else:
                    kept.append(row)
            if kept:
                df = pd.DataFrame(kept).drop(columns=["undecodable"]).astype(CLEANED_TYPES)
                run.write_part("cleaned", index, df)
            if qrows:
                run.write_part("quarantine", index, quarantine_frame(qrows), "clean-")
            counts["analysed"] += len(kept)
            counts["quarantined"] += len(qrows)
            advance(len(records))
    if not run.has_table("cleaned"):  # nothing survived: an empty table, so later stages run
        run.write_part("cleaned", 0, pd.DataFrame(
            {c: pd.Series(dtype=t) for c, t in CLEANED_TYPES.items()}))
    result = {"started_at": utc_now(), "seconds": round(time.perf_counter() - started, 3),
              "counts": counts, "quarantine_reasons": reasons}
    run.record_stage("clean", result)
    run.update_manifest(accounting=accounting(run))
    return result


def clean_part(path: str, cfg: Mapping[str, Any], signer: Signer
               ) -> tuple[list[tuple[dict, str | None, str, Any]], dict[str, int]]:
    """The part task of `clean`: clean every record of one `ingested` part file.

    Returns, per record in order, (row, quarantine reason or None, detail, duplicate
    signature of a kept record), and the part's counts. Identical texts of a part share one
    signature (the same words give the same key and bands)."""
    keep = set(cfg["keep_languages"])
    counts = {"input": 0, "html_extracted": 0, "html_metadata": 0, "unicode_repaired": 0}
    signatures: dict[str, tuple] = {}
    out = []
    for row in read_part(path).to_dict("records"):
        counts["input"] += 1
        signature = None
        try:
            reason, detail = _clean_record(row, cfg, keep, counts)
            if reason is None:
                signature = signatures.get(row["text"])
                if signature is None:
                    signature = signatures[row["text"]] = signer.sign(row["text"])
        except Exception as exc:  # one bad record must not stop the run
            reason, detail = "clean_error", f"{type(exc).__name__}: {exc}"
        out.append((row, reason, detail, signature))
    return out, counts


def _clean_record(row: dict[str, Any], cfg, keep: set[str], counts: dict[str, int]
                  ) -> tuple[str | None, str]:
    """Clean `row` in place; return a quarantine (reason, detail) or (None, "")."""
    raw = row["text"] or ""
    if row.get("undecodable"):
        return "undecodable_bytes", ("bytes that do not decode were replaced by U+FFFD; if the "
                                     "file is in another encoding, name it with "
                                     "--set ingest.encoding='\"cp1252\"' (or 'auto')")
    text, html, page = clean_text(raw, cfg)
    counts["html_extracted"] += html
    if cfg["fix_unicode"] and not html and text != normalise_whitespace(raw):
        counts["unicode_repaired"] += 1
    if html and not text:
        return "html_without_text", "no main text could be extracted from the HTML"
    if not text:
        return "empty_text", "the text is empty or whitespace only"
    visible = len("".join(text.split()))  # str.split() cuts at every str.isspace()
    if visible < cfg["min_chars"]:
        return "too_short", f"{visible} non-space characters < clean.min_chars={cfg['min_chars']}"
    if len(text) > cfg["max_chars"]:
        return "too_long", f"{len(text)} characters > clean.max_chars={cfg['max_chars']}"
    row["text"] = text
    row["is_html"] = html
    for field, value in page.items():
        given = row.get(field)
        if given is None or given is pd.NA or (isinstance(given, str) and not given.strip()):
            if field == "published_at":
                value = parse_dates(pd.Series([value]), dayfirst=False).iloc[0]
            if value:
                row[field] = value
                counts["html_metadata"] += 1
    if row.get("title"):
        row["title"] = normalise_whitespace(ftfy.fix_text(row["title"], uncurl_quotes=False))
    row["lang_detected"], row["lang_confidence"] = (
        detect_language(text) if cfg["detect_language"] else (None, None))
    given = (row.get("lang") or "").strip().lower()
    row["lang"] = given or row["lang_detected"]
    if keep and row["lang"] not in keep:
        return "unsupported_language", (f"language '{row['lang']}' not in "
                                        f"clean.keep_languages={sorted(keep)}")
    return None, ""


def _mark_duplicate(row: dict[str, Any], signature, dedup: Deduplicator, cfg,
                    counts: dict[str, int]) -> tuple[str | None, str]:
    """Mark a cleaned record's duplicates (in input order); quarantine it if they are
    dropped."""
    dup_of, near_of = dedup.mark_signed(row["id"], *signature)
    row["dup_of"], row["near_dup_of"] = dup_of, near_of
    row["is_duplicate"] = bool(dup_of or near_of)
    counts["exact_duplicates"] += dup_of is not None
    counts["near_duplicates"] += near_of is not None
    if row["is_duplicate"] and cfg["dedupe"]["drop"]:
        return "duplicate", f"duplicate of {dup_of or near_of}"
    return None, ""


def accounting(run: Run) -> dict[str, Any]:
    """input_records == analysed + quarantined, from the tables themselves."""
    manifest = run.manifest
    read = manifest.get("stages", {}).get("ingest", {}).get("counts", {}).get("records_read", 0)
    analysed = run.count_rows("cleaned") if run.has_table("cleaned") else 0
    quarantined = run.count_rows("quarantine") if run.has_table("quarantine") else 0
    duplicates = 0
    if analysed:
        duplicates = sum(int(part["is_duplicate"].sum())
                         for part in run.iter_table("cleaned", columns=["is_duplicate"]))
    return {"input_records": read, "analysed": analysed, "quarantined": quarantined,
            "duplicates_flagged": int(duplicates),
            "balanced": read == analysed + quarantined}
