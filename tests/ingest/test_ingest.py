import json

import pandas as pd

from pipeline.ingest import ingest
from pipeline.store import Run
from tests.conftest import write


def quarantine(run):
    return pd.concat(run.iter_table("quarantine"))


def test_bad_files_and_records_are_reported_and_the_rest_is_read(tmp_path, config):
    good = write(tmp_path / "good.csv", "body,outlet\nfirst,RT\nsecond,BBC\n")
    broken = write(tmp_path / "broken.json", "{not json")
    no_text = write(tmp_path / "notext.csv", "colour,size\nred,1\nblue,2\n")
    lines = write(tmp_path / "lines.jsonl", '{"text": "ok"}\nnope\n')
    run = Run.create(tmp_path / "run")
    result = ingest(run, config, [str(good), str(broken), str(no_text), str(lines),
                                  str(tmp_path / "missing.csv")])
    counts = result["counts"]
    assert counts["ingested"] == 3
    q = quarantine(run)
    assert sorted(q["reason"].value_counts().items()) == [
        ("malformed_record", 1), ("missing_text_column", 2), ("unreadable_input", 2)]
    assert counts["records_read"] == counts["ingested"] + counts["quarantined"] == 8
    inputs = {i["input"]: i for i in run.manifest["inputs"]}
    assert "error" in inputs[str(broken)] and len(inputs[str(good)]["sha256"]) == 64
    assert "--map text=COLUMN" in q[q.reason == "missing_text_column"]["detail"].iloc[0]


def test_ids_given_generated_and_duplicated(tmp_path, config):
    data = write(tmp_path / "a.jsonl", "\n".join([
        '{"id": "a1", "text": "one"}', '{"id": "a1", "text": "two"}',
        '{"text": "same"}', '{"text": "same"}']))
    run = Run.create(tmp_path / "run")
    ingest(run, config, [str(data)])
    df = pd.concat(run.iter_table("ingested"))
    assert df["id"].is_unique and len(df) == 3
    generated = df[df["text"] == "same"]["id"].tolist()
    assert generated[1] == generated[0] + "-2"
    q = quarantine(run)
    assert q["reason"].tolist() == ["duplicate_id"] and q["id"].tolist() == ["a1"]


def test_map_option_and_pass_through_metadata(tmp_path, config):
    data = write(tmp_path / "posts.csv", "date,title,outlets,keywords\n"
                 "2021-02-18,A claim,TASS - Russian,NATO+West\n")
    run = Run.create(tmp_path / "run")
    ingest(run, config, [str(data)], {"text": "title", "source": "outlets",
                                       "published_at": "date"})
    row = next(run.iter_table("ingested")).iloc[0]
    assert (row["text"], row["source"], row["published_at"]) == (
        "A claim", "TASS - Russian", "2021-02-18T00:00:00Z")
    assert '"keywords": "NATO+West"' in row["meta"]


def test_chunked_reading_writes_one_part_per_chunk(tmp_path, config):
    rows = "".join(f"text {i}\n" for i in range(25))
    data = write(tmp_path / "a.csv", "text\n" + rows)
    config["ingest"]["chunk_size"] = 10
    run = Run.create(tmp_path / "run")
    ingest(run, config, [str(data)])
    assert [len(c) for c in run.iter_table("ingested")] == [10, 10, 5]


def test_map_to_a_column_the_file_lacks_quarantines_its_records(tmp_path, config):
    data = write(tmp_path / "a.csv", "body,outlet\nfirst,RT\nsecond,BBC\n")
    run = Run.create(tmp_path / "run")
    result = ingest(run, config, [str(data)], {"text": "message"})
    q = quarantine(run)
    assert q["reason"].tolist() == ["unmapped_column", "unmapped_column"]
    assert "no such column; the input has body, outlet" in q["detail"].iloc[0]
    assert result["counts"] == {"records_read": 2, "ingested": 0, "quarantined": 2,
                                "unparseable_dates": 0}


def test_one_bad_record_never_costs_its_neighbours(tmp_path, config):
    lines = [json.dumps({"id": f"r{i}", "text": f"text {i}", "date": "2020-01-01"})
             for i in range(40)]
    lines[10] = '{"id": "r10", "text": "huge", "n": ' + "1" * 5000 + "}"
    lines[11] = json.dumps({"id": "r11", "text": "sentinel", "date": "9999-12-31"})
    lines[12] = '{"id": "r12", "text": "lone \\ud800 surrogate"}'
    lines[13] = json.dumps({"id": "r13", "text": 42})
    lines[14] = json.dumps({"id": "r0", "text": ""})  # a duplicate id with an empty text
    lines[15] = json.dumps({"id": "r15", "text": "has our old flag", "_undecodable": True,
                            "_record": "x"})
    data = write(tmp_path / "a.jsonl", "\n".join(lines) + "\n")
    run = Run.create(tmp_path / "run")
    counts = ingest(run, config, [str(data)])["counts"]
    assert counts["records_read"] == 40 == counts["ingested"] + counts["quarantined"]
    q = quarantine(run).set_index("input_record")["reason"].to_dict()
    assert q == {11: "malformed_record", 14: "invalid_text", 15: "duplicate_id"}
    df = pd.concat(run.iter_table("ingested")).set_index("id")
    assert df.loc["r11", "published_at"] is pd.NA and counts["unparseable_dates"] == 1
    assert bool(df.loc["r12", "undecodable"]) and not bool(df.loc["r15", "undecodable"])
    assert '"_undecodable": true' in df.loc["r15", "meta"]


def test_folder_records_and_quarantine_rows_name_their_file(tmp_path, config):
    write(tmp_path / "docs/a.txt", "fine")
    write(tmp_path / "docs/sub/b.html", b"<html><body>\xff\xfe\x00bad</body></html>")
    run = Run.create(tmp_path / "run")
    config["ingest"]["encoding"] = "utf-8"
    ingest(run, config, [str(tmp_path / "docs")])
    df = pd.concat(run.iter_table("ingested"))
    assert sorted(df["input_file"]) == [str(tmp_path / "docs/a.txt"),
                                        str(tmp_path / "docs/sub/b.html")]
