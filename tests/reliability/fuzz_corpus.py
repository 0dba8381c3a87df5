"""A generated corpus of bad and odd records in every input format, with the number of input
records each file holds, so a run over it can be checked record by record.

`build(folder, n, seed)` writes about `n` records (plus whole files that cannot be read) and
returns {input path: expected input records}. Each record is drawn from the cases below; a
case is a function of the random generator returning the value for the text column (or a
raw line for line formats).
"""
from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

WORDS = ("NATO", "Russia", "Poland", "propaganda", "the", "West", "lies", "troops", "border",
         "Kremlin", "media", "bots", "shared", "claim", "Ukraine", "drills", "sanctions")


def _sentence(rng: random.Random, n: int = 12) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)) + "."


# values for a text cell in any format
TEXTS = [
    lambda r: _sentence(r),
    lambda r: "",
    lambda r: "   \t  ",
    lambda r: "=cmd|' /C calc'!A0 " + _sentence(r),
    lambda r: "+1-555 @user -" + _sentence(r),
    lambda r: "NUL\x00 inside " + _sentence(r),
    lambda r: "control \x07\x1b[31m chars " + _sentence(r),
    lambda r: "Ünïcödé Пропаганда НАТО 北约 " + _sentence(r),
    lambda r: "<html><body><p>" + _sentence(r) + "</p><script>x()</script></body></html>",
    lambda r: _sentence(r, 40) * 600,       # ~150k characters: above clean.max_chars
    lambda r: "emoji 🚀🔥 and RTL שלום " + _sentence(r),
    lambda r: "line one\nline two, with comma\n" + _sentence(r),
    lambda r: "Ð\u009dÐ\u0090Ð¢Ðž mojibake " + _sentence(r),
    lambda r: "\ufeffBOM inside " + _sentence(r),
]
DATES = ["2021-03-04", "9999-12-31", "1677-09-21", "31/12/2020", "not a date", "",
         "1709455468.0", "1709455468123", "2020-02-30", "10000-01-01"]
AUTHORS = ["ann", "", "bot\x01handle", "=HYPERLINK(\"x\")", "Ĺùţĥőŕ", "a" * 5000]


def _row(rng, i):
    return {"id": f"r{rng.getrandbits(48):x}" if rng.random() < 0.9 else rng.choice(["dup", ""]),
            "text": rng.choice(TEXTS)(rng), "author": rng.choice(AUTHORS),
            "date": rng.choice(DATES), "source": rng.choice(["RT", "=1+1", "BBC\x00", ""])}


def _csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _delimited(path: Path, rng, n: int, sep: str, encoding: str = "utf-8") -> int:
    """Rows, some broken; every non-blank physical line is one record (texts keep to one line
    here, so that the count is exact)."""
    lines = ["id" + sep + "text" + sep + "author" + sep + "date" + sep + "source" + sep + "text"]
    for i in range(n):
        row = _row(rng, i)
        row["text"] = row["text"].replace("\n", " ").replace("\r", " ")
        cells = [_csv_cell(str(row[k])) for k in ("id", "text", "author", "date", "source")]
        cells.append(_csv_cell("second text column"))
        kind = rng.random()
        if kind < 0.05:
            cells[1] = '"opens a quote and never closes it ' + _sentence(rng)
        elif kind < 0.08:
            cells.append("extra field")
        elif kind < 0.11:
            cells = cells[:2]
        elif kind < 0.13:
            cells[1] = 'says "hi" in the middle'
        lines.append(sep.join(cells))
    text = "\r\n".join(lines) + "\r\n\r\n"
    data = text.encode(encoding, errors="replace") if encoding != "utf-8-sig" else \
        b"\xef\xbb\xbf" + text.encode("utf-8")
    path.write_bytes(data)
    return n


def _jsonl(path: Path, rng, n: int) -> int:
    out = []
    for i in range(n):
        kind = rng.random()
        row = _row(rng, i)
        if kind < 0.04:
            out.append(b"{broken json " + str(i).encode())
        elif kind < 0.07:
            out.append(rng.choice([b"[1, 2]", b"42", b'"a string"', b"null", b"true"]))
        elif kind < 0.09:
            out.append(b'{"text": "big", "n": ' + b"7" * 5000 + b"}")
        elif kind < 0.11:
            out.append(b'{"text": "deep", "x": ' + b"[" * 3000 + b"]" * 3000 + b"}")
        elif kind < 0.13:
            out.append(b'{"text": "lone \\ud800 surrogate"}')
        elif kind < 0.16:
            row["text"] = rng.choice([42, 3.5, True, None, {"nested": "object"}, ["a", "b"]])
            out.append(json.dumps(row).encode())
        elif kind < 0.18:
            out.append(b'{"text": "caf\xe9 latin-1 byte", "id": "x' + str(i).encode() + b'"}')
        elif kind < 0.20:
            row["_undecodable"] = True
            row["_record"] = "x"
            row["user"] = {"screen_name": "nested", "id_str": "1"}
            out.append(json.dumps(row).encode())
        else:
            out.append(json.dumps(row, ensure_ascii=rng.random() < 0.5).encode())
    path.write_bytes(b"\n".join(out) + b"\n\n")
    return n


def _json(path: Path, rng, n: int) -> int:
    items = [rng.choice([_row(rng, i), "not an object", 7, None, [1]]) if rng.random() < 0.1
             else _row(rng, i) for i in range(n)]
    path.write_text(json.dumps({"data": items}), encoding="utf-8")
    return n


def _parquet(path: Path, rng, n: int) -> int:
    texts = [rng.choice(TEXTS)(rng).encode("utf-8") if rng.random() < 0.9 else
             b"\xff\xfe binary junk" for _ in range(n)]
    texts = [None if rng.random() < 0.05 else t for t in texts]
    far = 253402300800 * 10**6 + 10**12  # year 10000
    dates = pa.array([far if rng.random() < 0.05 else 1600000000 * 10**6 for _ in range(n)],
                     type=pa.timestamp("us"))
    pq.write_table(pa.table({"text": pa.array(texts, type=pa.binary()), "published_at": dates,
                             "author": [rng.choice(AUTHORS) for _ in range(n)]}), path)
    return n


def _folder(path: Path, rng, n: int) -> int:
    path.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = rng.choice(TEXTS)(rng)
        kind = rng.random()
        name = f"doc{i}.{rng.choice(['txt', 'md', 'html'])}"
        if kind < 0.1:
            data = body.encode("cp1252", errors="replace")
        elif kind < 0.15:
            data = os.urandom(200)
        elif kind < 0.2:
            data = b""
        elif kind < 0.25:
            data = b'<html><head><meta charset="iso-8859-1"></head><body>caf\xe9</body></html>'
            name = f"doc{i}.html"
        else:
            data = body.encode("utf-8")
        if kind > 0.95:
            name = os.fsdecode(f"d\udce9c{i}.txt".encode("utf-8", "surrogateescape"))
        (path / name).write_bytes(data)
    (path / "ignored.pdf").write_bytes(b"%PDF")
    os.mkfifo(path / "pipe.txt")  # not a regular file: not a record, never opened
    return n


def build(folder: Path, n: int, seed: int = 0) -> dict[str, int]:
    """Write the corpus; return {input path: input records it holds}."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    share = max(1, n // 8)
    expected = {
        folder / "a.csv": _delimited(folder / "a.csv", rng, share, ","),
        folder / "b.tsv": _delimited(folder / "b.tsv", rng, share, "\t"),
        folder / "cp1252.csv": _delimited(folder / "cp1252.csv", rng, share, ",", "cp1252"),
        folder / "utf16.csv": _delimited(folder / "utf16.csv", rng, share, ",", "utf-16"),
        folder / "bom.csv": _delimited(folder / "bom.csv", rng, share // 2, ",", "utf-8-sig"),
        folder / "c.jsonl": _jsonl(folder / "c.jsonl", rng, share),
        folder / "d.json": _json(folder / "d.json", rng, share // 2),
        folder / "e.parquet": _parquet(folder / "e.parquet", rng, share // 2),
        folder / "pages": _folder(folder / "pages", rng, share),
    }
    (folder / "header_only.csv").write_text("id,text\n")
    expected[folder / "header_only.csv"] = 0
    (folder / "empty.jsonl").write_bytes(b"")
    expected[folder / "empty.jsonl"] = 0
    os.mkfifo(folder / "fifo.csv")
    expected[folder / "fifo.csv"] = 1          # unreadable_input
    (folder / "binary.json").write_bytes(os.urandom(300))
    expected[folder / "binary.json"] = 1       # unreadable_input
    expected[folder / "missing.csv"] = 1       # unreadable_input
    return {str(path): count for path, count in expected.items()}
