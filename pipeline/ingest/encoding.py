"""Which text encoding a file is in: a declared `ingest.encoding`, else its byte-order mark,
else (for HTML) its declared charset, else UTF-8 when the bytes are valid UTF-8, else the
encoding charset-normalizer detects.
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path

import charset_normalizer

AUTO = "auto"
SAMPLE_BYTES = 1 << 20  # bytes read to decide; a later undecodable record is still flagged

# legacy encodings in order of use on the web, preferred among equally good fits
COMMON = ("cp1252", "cp1251", "cp1250", "koi8_r", "iso8859_2", "gb18030", "shift_jis",
          "euc_kr", "cp1253", "cp1254", "cp1256", "cp1257")
CHAOS_MARGIN = 0.03

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)


def _known(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def sniff(sample: bytes, declared: str = AUTO, html: bool = False) -> tuple[str, str]:
    """Return (encoding, how it was decided) for a file that starts with `sample`."""
    if declared and declared.lower() != AUTO:
        return declared, "declared"
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name, "byte-order mark"
    if html:
        match = _META_CHARSET.search(sample[:4096])
        if match and (name := _known(match.group(1).decode("ascii"))):
            # pages declaring Latin-1 are cp1252 in practice (the HTML standard says so)
            return ("cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name,
                    "HTML charset")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8", "valid UTF-8"
    except UnicodeDecodeError:
        pass
    matches = list(charset_normalizer.from_bytes(sample))
    if not matches:
        return "utf-8", "undetected (read as UTF-8)"
    # on short samples several legacy code pages fit about equally well; among those within
    # a small margin of the best fit, take the one most used for news text
    close = {m.encoding: m for m in matches if m.chaos <= matches[0].chaos + CHAOS_MARGIN}
    common = [name for name in COMMON if name in close]
    return (common[0] if common else matches[0].encoding), "detected"


def sniff_file(path: Path, declared: str = AUTO) -> tuple[str, str]:
    """`sniff` on the first megabyte of a file."""
    if declared and declared.lower() != AUTO:
        return declared, "declared"
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    return sniff(sample, declared, html=path.suffix.lower() in (".html", ".htm"))
