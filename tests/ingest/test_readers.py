import json

import pandas as pd
import pytest

from pipeline.ingest.readers import READERS, InputError, detect_format
from tests.conftest import write


def read_all(fmt, source, **kw):
    records, bad = [], []
    for chunk in READERS[fmt](source, **kw):
        records += chunk.records
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
    records, _ = read_all("jsonl", path)
    assert records[0]["_undecodable"] and "\ufffd" in records[0]["text"]
    assert "_undecodable" not in records[1]


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
    assert [r["body"] for r in records] == ["x", "y"] and records[1]["_record"] == 2


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
