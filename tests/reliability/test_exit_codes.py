"""A run that could not read what it was given, or analysed nothing, exits non-zero with a
one-line error per problem, after writing its manifest; no traceback reaches the user."""
import json

from typer.testing import CliRunner

from pipeline.cli import app
from tests.conftest import write

runner = CliRunner()


def _errors(result):
    return [line for line in result.output.splitlines() if line.startswith("error:")]


def test_ingest_exits_1_for_inputs_it_cannot_read(tmp_path):
    data = write(tmp_path / "a.csv", "text\nhello\n")
    missing = runner.invoke(app, ["-q", "ingest", str(data), str(tmp_path / "typo.csv"),
                                  "--out", str(tmp_path / "r1")])
    assert missing.exit_code == 1 and missing.exception.__class__ is SystemExit
    assert _errors(missing) == [f"error: input {tmp_path / 'typo.csv'} could not be read "
                                f"(InputError: input {tmp_path / 'typo.csv'} does not exist.)"]
    manifest = json.loads((tmp_path / "r1/manifest.json").read_text())
    assert manifest["stages"]["ingest"]["counts"]["ingested"] == 1  # a.csv was still read
    wrong_format = runner.invoke(app, ["-q", "ingest", str(data), "--format", "jsonl",
                                       "--out", str(tmp_path / "r2")])
    assert wrong_format.exit_code == 1
    assert _errors(wrong_format)[0].startswith("error: no record could be read")


def test_run_exits_1_when_nothing_is_analysed_or_an_input_is_a_stray_word(tmp_path):
    data = write(tmp_path / "a.csv", "body\nNATO is preparing an attack on Russia.\n")
    unmapped = runner.invoke(app, ["-q", "run", str(data), "--out", str(tmp_path / "r1"),
                                   "--map", "text=message"])
    assert unmapped.exit_code == 1 and len(_errors(unmapped)) == 1
    assert "no record could be analysed: all 1 input records were quarantined" in \
        _errors(unmapped)[0]
    assert (tmp_path / "r1/manifest.json").exists()
    stray = runner.invoke(app, ["-q", "run", str(data), "overwrite", "--out",
                                str(tmp_path / "r2"), "--map", "text=body"])
    assert stray.exit_code == 1 and _errors(stray) == [
        "error: input overwrite could not be read (InputError: input overwrite does not "
        "exist.)"]
    assert (tmp_path / "r2/report.html").exists()  # the readable input was analysed
    # no author or time column: coordination is skipped, and the console says why
    assert "coordination: skipped: coordination needs posts" in stray.output
