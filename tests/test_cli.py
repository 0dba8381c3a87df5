import json
import subprocess
import sys

from typer.testing import CliRunner

from pipeline.cli import app
from tests.conftest import write

runner = CliRunner()


def test_help_lists_every_command_and_option():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("run", "ingest", "clean", "classify", "report", "train", "evaluate",
                    "explain"):
        assert command in result.output
    run_help = runner.invoke(app, ["run", "--help"]).output
    for option in ("--out", "--config", "--set", "--map", "--format", "--overwrite"):
        assert option in run_help


def test_the_cli_starts_without_loading_the_analysis_libraries():
    """`disinfo --help` and the light commands must not pay for spaCy, scikit-learn, pandas
    or the model code: the package names its API lazily."""
    heavy = ("spacy", "sklearn", "pandas", "skops", "pipeline.classify", "pipeline.model")
    code = ("import sys; from pipeline.cli import app; import pipeline; "
            "from typer.testing import CliRunner; CliRunner().invoke(app, ['--help']); "
            f"print([m for m in {heavy!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_the_package_api_names_the_stage_functions_even_after_their_modules_load():
    import pipeline
    import pipeline.classify  # noqa: F401  (binds the submodule on a plain package)
    from pipeline import classify, ingest, run_pipeline
    assert callable(run_pipeline)
    assert classify.__module__ == "pipeline.classify" and callable(classify)
    assert pipeline.ingest is ingest and ingest.__module__ == "pipeline.ingest"
    assert sorted(dir(pipeline)) == sorted(pipeline.__all__)


def test_config_error_fails_at_start_up_with_the_key(tmp_path):
    data = write(tmp_path / "a.csv", "text\nhello world\n")
    result = runner.invoke(app, ["-q", "run", str(data), "--out", str(tmp_path / "r"),
                                 "--set", "clean.max_chars=-1"])
    assert result.exit_code == 2
    assert "clean.max_chars" in result.output
    assert not (tmp_path / "r").exists()
    bad_map = runner.invoke(app, ["-q", "run", str(data), "--out", str(tmp_path / "r"),
                                  "--map", "body"])
    assert bad_map.exit_code == 2 and "field=column" in bad_map.output


def test_run_then_stages_alone(tmp_path):
    data = write(tmp_path / "a.csv", "body,outlet\nNATO is preparing to attack Russia.,RT\n"
                                     "The weather in Riga is lovely today.,LSM\n")
    out = tmp_path / "r"
    result = runner.invoke(app, ["-q", "run", str(data), "--out", str(out), "--map",
                                 "text=body"])
    assert result.exit_code == 0, result.output
    assert "balanced" in result.output and (out / "report.html").exists()
    again = runner.invoke(app, ["-q", "run", str(data), "--out", str(out)])
    assert again.exit_code == 2 and "--overwrite" in again.output
    for stage in ("clean", "classify", "report"):
        step = runner.invoke(app, ["-q", stage, str(out)])
        assert step.exit_code == 0, step.output
    tables = runner.invoke(app, ["-q", "report", str(out), "--format", "csv"])
    assert tables.exit_code == 0, tables.output
    assert (out / "tables/by_source.csv").exists() and not (out / "report.html").exists()
    missing = runner.invoke(app, ["-q", "report", str(tmp_path / "nothing")])
    assert missing.exit_code == 2 and "not a run folder" in missing.output


def test_explain_json():
    result = runner.invoke(app, ["explain", "--json", "--source", "Sputnik",
                                 "NATO is preparing an attack on Russia."])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["labels"]["state_media"]["decision"] == 1
    assert out["labels"]["sowing_doubt"]["decision"] == 1
    assert out["labels"]["sowing_doubt"]["strongest_features"]


def test_explain_reads_other_languages_and_says_what_it_does_not_score():
    russian = runner.invoke(app, ["explain", "--json", "Западные СМИ распространяют "
                                  "русофобскую ложь и пропаганду против России."])
    assert russian.exit_code == 0, russian.output
    out = json.loads(russian.output)
    assert out["lang"] == "ru" and out["labels"]["mutual_accusation"]["decision"] == 1
    hungarian = runner.invoke(app, ["explain", "--lang", "hu", "A NATO támadásra készül."])
    assert hungarian.exit_code == 0, hungarian.output
    assert "not scored" in hungarian.output and "'hu'" in hungarian.output


def test_explain_says_features_in_words_and_names_accuser_and_accused():
    result = runner.invoke(app, ["explain", "Western media lie about Russia, says Lavrov."])
    assert result.exit_code == 0, result.output
    assert "cues__" not in result.output and "strongest features: cue acc_lies" in \
        result.output.replace("\n", " ")
    assert "accusation 'lie' [14:17]: accuser" in result.output and "accused WEST" in \
        result.output
