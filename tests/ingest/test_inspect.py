"""`disinfo inspect`: what ingest would make of an input, without writing anything."""
import json

from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_config
from pipeline.ingest.inspect import inspect_input
from tests.conftest import write

runner = CliRunner()


def test_a_csv_shows_its_mapping_sample_and_what_would_fail(tmp_path):
    data = write(tmp_path / "news.csv", "headline,body,outlet,date\n"
                 "Drills,NATO began its exercise.,Reuters,2019-06-01\n"
                 "War,NATO prepares an attack.,RT,someday\n")
    found = inspect_input(str(data), load_config(), {"text": "body"})
    assert found["format"] == "csv" and found["encoding"] == "utf-8"
    assert found["columns"] == ["headline", "body", "outlet", "date"]
    assert found["mapping"]["text"] == "body" and found["mapping"]["source"] == "outlet"
    assert [r["text"] for r in found["records"]] == ["NATO began its exercise.",
                                                     "NATO prepares an attack."]
    assert found["records"][0]["published_at"] == "2019-06-01T00:00:00Z"
    assert found["unparseable_dates"] == 1 and "error" not in found
    assert sorted(p.name for p in tmp_path.iterdir()) == ["news.csv"]  # nothing written


def test_nested_exports_and_missing_text_columns(tmp_path):
    tweets = write(tmp_path / "tweets.jsonl", json.dumps(
        {"id_str": "1", "full_text": "Bots again.", "user": {"screen_name": "troll1"},
         "created_at": 1709455468.0}) + "\n")
    found = inspect_input(str(tweets), load_config())
    record = found["records"][0]
    assert record["text"] == "Bots again." and record["author"] == "troll1"
    assert record["published_at"].startswith("2024-03-03")
    no_text = write(tmp_path / "numbers.csv", "a,b\n1,2\n")
    assert "no text column" in inspect_input(str(no_text), load_config())["error"]


def test_the_command_prints_json_and_exits_1_on_an_unreadable_input(tmp_path):
    data = write(tmp_path / "a.csv", "text,source\nNATO is preparing to attack.,RT\n")
    done = runner.invoke(app, ["inspect", str(data), "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)[0]["records"][0]["source"] == "RT"
    missing = runner.invoke(app, ["inspect", str(data), str(tmp_path / "none.csv")])
    assert missing.exit_code == 1 and "does not exist" in " ".join(missing.output.split())
    assert runner.invoke(app, ["--version"]).output.startswith("disinfo ")
