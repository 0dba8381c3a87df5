import json

import pandas as pd
import pytest

from pipeline.ingest.readers import READERS, InputError, detect_format
from tests.conftest import write


def read_all(fmt, source, **kw):
    records, bad = [], []
    for chunk in READERS[fmt](source, **kw):
        records += [{**r, "@position": p, "@undecodable": u, "@file": f} for r, p, u, f in
                    zip(chunk.records, chunk.positions, chunk.undecodable, chunk.files)]
        bad += chunk.quarantine
    return records, bad


def test_csv_reads_quoted_multiline_fields_and_quarantines_bad_rows(tmp_path):
    path = write(tmp_path / "a.csv", 'text,author\n"line one\nline two",ann\nsolo\nok,bob\n')
    records, bad = read_all("csv", path)
    assert [r["text"] for r in records] == ["line one\nline two", "ok"]
    assert bad[0]["reason"] == "malformed_record" and "expected 2 fields" in bad[0]["detail"]


def test_tsv_and_chunking(tmp_path):
    rows = "".join(f"t{i}\tsrc\n" for i in range(7))
    path = write(tmp_path / "a.tsv", "text\tsource\n" + rows)
    chunks = list(READERS["tsv"](path, chunk_size=3))
    assert [len(c.records) for c in chunks] == [3, 3, 1]


def test_jsonl_quarantines_malformed_lines_and_non_objects(tmp_path):
    path = write(tmp_path / "a.jsonl", '{"text": "a"}\n{broken\n[1, 2]\n\n{"text": "b"}\n')
    records, bad = read_all("jsonl", path)
    assert [r["text"] for r in records] == ["a", "b"]
    assert [b["reason"] for b in bad] == ["malformed_record", "malformed_record"]
    assert "line 2" in bad[0]["detail"] and "got list" in bad[1]["detail"]


def test_undecodable_bytes_are_replaced_and_flagged(tmp_path):
    path = write(tmp_path / "a.jsonl", b'{"text": "caf\xe9 ok"}\n{"text": "fine"}\n')
    records, _ = read_all("jsonl", path, encoding="utf-8")
    assert records[0]["@undecodable"] and "\ufffd" in records[0]["text"]
    assert not records[1]["@undecodable"]
    # a lone surrogate escape is not text either
    path = write(tmp_path / "b.jsonl", '{"text": "a \\ud800 b", "x": {"y": "\\udfff"}}\n')
    records, _ = read_all("jsonl", path)
    assert records[0]["@undecodable"] and records[0]["text"] == "a \ufffd b"


def test_json_array_and_wrapped_array(tmp_path):
    path = write(tmp_path / "a.json", json.dumps([{"text": "a"}, "oops", {"text": "b"}]))
    records, bad = read_all("json", path)
    assert len(records) == 2 and bad[0]["reason"] == "malformed_record"
    wrapped = write(tmp_path / "b.json", json.dumps({"data": [{"text": "x"}]}))
    assert read_all("json", wrapped)[0][0]["text"] == "x"
    with pytest.raises(InputError, match="not valid JSON"):
        read_all("json", write(tmp_path / "c.json", "{nope"))


def test_parquet(tmp_path):
    path = tmp_path / "a.parquet"
    pd.DataFrame({"body": ["x", "y"], "n": [1, 2]}).to_parquet(path)
    records, _ = read_all("parquet", path, chunk_size=1)
    assert [r["body"] for r in records] == ["x", "y"] and records[1]["@position"] == 2


def test_folder_is_recursive_and_reads_titles(tmp_path):
    write(tmp_path / "docs/a.txt", "plain text")
    write(tmp_path / "docs/sub/b.md", "# Heading\n\nbody")
    write(tmp_path / "docs/sub/deeper/c.html", "<html><title>T</title><p>x</p></html>")
    write(tmp_path / "docs/skip.pdf", "binary")
    records, _ = read_all("folder", tmp_path / "docs")
    assert sorted(r["path"] for r in records) == ["a.txt", "sub/b.md", "sub/deeper/c.html"]
    titles = {r["path"]: r["title"] for r in records}
    assert titles["sub/b.md"] == "Heading" and titles["sub/deeper/c.html"] == "T"


def test_hf_save_to_disk_and_data_files(tmp_path):
    from datasets import Dataset, DatasetDict
    ds = Dataset.from_dict({"content": ["one", "two", "three"], "user": ["a", "b", "c"]})
    DatasetDict({"train": ds, "test": ds.select([0])}).save_to_disk(str(tmp_path / "hf"))
    assert detect_format(str(tmp_path / "hf"))[0] == "hf-disk"
    records, _ = read_all("hf-disk", tmp_path / "hf", hf_split="train")
    assert [r["content"] for r in records] == ["one", "two", "three"]
    all_splits, _ = read_all("hf-disk", tmp_path / "hf")
    assert len(all_splits) == 4
    csv = write(tmp_path / "f.csv", "text,source\nhello,RT\n")
    records, _ = read_all("hf-files", csv)
    assert records[0]["text"] == "hello"


def test_hf_hub_name_fails_clearly_offline():
    fmt, name = detect_format("hf:someone/corpus")
    assert fmt == "hf-hub"
    with pytest.raises(InputError, match="hub is disabled"):
        list(READERS["hf-hub"](name))


def test_detect_format_errors(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        detect_format(str(tmp_path / "nope.csv"))
    with pytest.raises(InputError, match="unknown extension"):
        detect_format(str(write(tmp_path / "a.xyz", "x")))
    with pytest.raises(InputError, match="unknown format"):
        detect_format(str(write(tmp_path / "a.csv", "x")), "excel")


@pytest.mark.parametrize("encoding, bom", [("cp1252", b""), ("utf-16", b""),
                                           ("utf-8", b"\xef\xbb\xbf")])
def test_encodings_are_read_from_the_bom_or_detected(tmp_path, encoding, bom):
    text = "text,source\nL'été à Zürich: Gérard déçu,Le Monde\nÇa coûte 5 €,Libération\n"
    path = write(tmp_path / "a.csv", bom + text.encode(encoding))
    records, bad = read_all("csv", path)
    assert not bad and [r["text"] for r in records] == [
        "L'été à Zürich: Gérard déçu", "Ça coûte 5 €"]
    assert not any(r["@undecodable"] for r in records) and "source" in records[0]


def test_html_declared_charset_is_honoured(tmp_path):
    page = ('<html><head><meta charset="iso-8859-1"><title>Café</title></head>'
            '<body><p>Übersee</p></body></html>').encode("latin-1")
    records, _ = read_all("folder", write(tmp_path / "pages/a.html", page).parent)
    assert records[0]["title"] == "Café" and not records[0]["@undecodable"]


def test_an_unclosed_quote_does_not_swallow_the_rows_after_it(tmp_path):
    rows = [f'row {i},a{i}' for i in range(10)]
    rows[3] = '"row 3 opens a quote,a3'
    rows[7] = 'row 7 says "hi" there,a7'
    path = write(tmp_path / "a.csv", "text,author\n" + "\n".join(rows) + "\n")
    records, bad = read_all("csv", path)
    assert len(records) + len(bad) == 10  # every line is a record or a quarantine row
    assert "line 5: broken quoting" in bad[0]["detail"]
    assert [r["author"] for r in records][:3] == ["a0", "a1", "a2"]
    assert {"a4", "a5", "a6", "a8", "a9"} <= {r["author"] for r in records}


def test_a_quote_left_open_at_the_end_of_the_file(tmp_path):
    path = write(tmp_path / "a.tsv", 'text\tauthor\nok\tann\n"open\tbob\nlast\tcarl\n')
    records, bad = read_all("tsv", path)
    assert [r["author"] for r in records] == ["ann", "carl"] and len(bad) == 1


def test_legitimate_multiline_fields_and_duplicate_columns(tmp_path):
    path = write(tmp_path / "a.csv", 'text,text,author\n"para one,\npara two",b,ann\n')
    records, bad = read_all("csv", path)
    assert not bad and records[0]["text"] == "para one,\npara two"
    assert records[0]["text.1"] == "b"  # a second column of the same name is kept


def test_jsonl_lines_python_cannot_hold_are_one_bad_record_each(tmp_path):
    lines = ['{"text": "a"}', '{"text": "b", "n": ' + "9" * 5000 + '}',
             '{"text": "c", "deep": ' + "[" * 5000 + "]" * 5000 + '}', '{"text": "d"}']
    records, bad = read_all("jsonl", write(tmp_path / "a.jsonl", "\n".join(lines)))
    assert [r["text"] for r in records] == ["a", "d"]
    assert [b["input_record"] for b in bad] == [2, 3]
    assert "nested too deeply" in bad[1]["detail"]


def test_parquet_binary_text_and_timestamps_beyond_year_9999(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    ts = pa.array([0, 253402300800 * 10**6 + 10**12], type=pa.timestamp("us"))
    pq.write_table(pa.table({"text": pa.array([b"caf\xc3\xa9", b"plain"], type=pa.binary()),
                             "date": ts}), tmp_path / "a.parquet")
    records, bad = read_all("parquet", tmp_path / "a.parquet")
    assert not bad and [r["text"] for r in records] == ["café", "plain"]
    assert str(records[1]["date"]).startswith("10000-")


def test_folder_files_that_cannot_be_read_are_quarantined_one_by_one(tmp_path, monkeypatch):
    import os
    from pathlib import Path
    write(tmp_path / "docs/a.txt", "fine")
    write(tmp_path / "docs/b.txt", "unreadable")
    write(tmp_path / os.fsdecode(b"docs/caf\xe9.txt"), "odd name")
    os.mkfifo(tmp_path / "docs/pipe.txt")  # not a regular file: never opened
    read_bytes = Path.read_bytes

    def refuse(self):  # as root every file is readable, so refuse one the way EACCES does
        if self.name == "b.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return read_bytes(self)
    monkeypatch.setattr(Path, "read_bytes", refuse)
    records, bad = read_all("folder", tmp_path / "docs")
    assert sorted(r["path"] for r in records) == ["a.txt", "caf\ufffd.txt"]
    assert [(b["reason"], b["file"], b["input_record"]) for b in bad] == [
        ("unreadable_file", "b.txt", 2)]
    assert "Permission denied" in bad[0]["detail"]


def test_a_fifo_is_refused_not_read(tmp_path):
    import os
    os.mkfifo(tmp_path / "feed.csv")
    with pytest.raises(InputError, match="not a regular file"):
        detect_format(str(tmp_path / "feed.csv"))
