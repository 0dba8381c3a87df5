"""A slice of the fuzz corpus (tests/reliability/fuzz_corpus.py) through a whole run: no
traceback, every input record analysed or quarantined with a reason, predictions == analysed.
The full corpus (10,000+ records) runs in benchmarks/fuzz.py."""
import pandas as pd
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.store import Run
from tests.reliability.fuzz_corpus import build


def check_run(run: Run, expected: dict[str, int]) -> dict[str, int]:
    """Assert the run accounts for every record of the corpus; return the manifest's figures."""
    manifest = run.manifest
    acc = manifest["accounting"]
    assert acc["balanced"] and acc["input_records"] == sum(expected.values())
    read = {i["input"]: i["records_read"] for i in manifest["inputs"]}
    assert read == expected
    cleaned = pd.concat(run.iter_table("cleaned", ["input_file", "input_record"]))
    quarantine = pd.concat(run.iter_table("quarantine"))
    assert quarantine["reason"].notna().all() and (quarantine["reason"] != "").all()
    seen = pd.concat([cleaned, quarantine[["input_file", "input_record"]]])
    for path, n in expected.items():
        rows = seen[seen["input_file"].str.startswith(path)]
        if path.endswith(("pages",)):
            assert rows["input_file"].nunique() == n  # one record per file of the folder
        elif n and rows["input_record"].notna().all():
            assert sorted(rows["input_record"]) == list(range(1, n + 1)), path
        else:
            assert len(rows) == n, path
    predictions = pd.read_parquet(run.path / "predictions.parquet")
    assert len(predictions) == acc["analysed"] == len(cleaned)
    return acc


@pytest.mark.slow
def test_a_fuzz_corpus_is_accounted_for_record_by_record(tmp_path):
    expected = build(tmp_path / "corpus", 400, seed=7)
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["-q", "run", *expected, "--out", str(out)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 1  # three inputs cannot be read, and say so
    assert sum(line.startswith("error: input ") for line in result.output.splitlines()) == 3
    acc = check_run(Run(out), expected)
    assert acc["analysed"] > 200 and acc["quarantined"] > 50
    reasons = set(pd.read_parquet(out / "quarantine")["reason"])
    assert {"malformed_record", "invalid_text", "empty_text", "unreadable_input",
            "duplicate_id", "undecodable_bytes"} <= reasons
