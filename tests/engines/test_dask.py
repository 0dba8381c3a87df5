"""The Dask engine: a run on a 2-worker LocalCluster writes what the local engine writes."""
import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from pipeline.config import PROJECT_ROOT, ConfigError, load_config
from pipeline.run import resume_pipeline, run_pipeline, with_engine
from pipeline.store import Run

SAMPLE = PROJECT_ROOT / "corpora" / "sample"
INPUTS = [SAMPLE / name for name in ("news.csv", "social.jsonl", "claims.json",
                                     "multilingual.jsonl", "articles")]
# small parts, so that every stage's work is spread over many part tasks
SETTINGS = ["ingest.chunk_size=40"]
# what may differ between two runs of the same inputs: times, and the run folder's path
VOLATILE = {"seconds", "started_at", "finished_at", "created_at", "generated_at", "run",
            "files", "engine"}


def _stable(obj):
    if isinstance(obj, dict):
        return {k: _stable(v) for k, v in obj.items() if k not in VOLATILE}
    if isinstance(obj, list):
        return [_stable(v) for v in obj]
    return obj


def assert_same_outputs(expected: Path, got: Path) -> None:
    tables = sorted(p.relative_to(expected) for p in expected.rglob("*.parquet"))
    assert tables == sorted(p.relative_to(got) for p in got.rglob("*.parquet"))
    assert any(str(t).startswith("predictions/part-00005") for t in tables)  # many parts
    for table in tables:
        pd.testing.assert_frame_equal(pq.read_table(expected / table).to_pandas(),
                                      pq.read_table(got / table).to_pandas(), obj=str(table))
    a, b = (json.loads((p / "manifest.json").read_text()) for p in (expected, got))
    assert _stable(a) == _stable(b)
    assert b["accounting"]["balanced"] and b["accounting"]["input_records"] > 300
    assert (got / "coordination_edges.csv").read_text() == \
        (expected / "coordination_edges.csv").read_text()
    a, b = (json.loads((p / "summary.json").read_text()) for p in (expected, got))
    assert a["prevalence"] and _stable(a) == _stable(b)


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("engines") / "local"
    run_pipeline(INPUTS, str(out), load_config(overrides=SETTINGS))
    return out


@pytest.mark.slow
def test_dask_run_equals_local_run(local_run, tmp_path):
    config = load_config(overrides=SETTINGS + ['engine.name="dask"', "engine.workers=2"])
    run = run_pipeline(INPUTS, str(tmp_path / "dask"), config)
    assert run.manifest["config"]["engine"]["name"] == "dask"
    assert_same_outputs(local_run, run.path)


@pytest.mark.slow
def test_run_started_on_dask_is_resumed_on_another_engine(local_run, tmp_path):
    """A run recorded with the dask engine and killed in classify, finished locally."""
    copy = tmp_path / "killed"
    shutil.copytree(local_run, copy)
    run = Run(copy)
    manifest = run.manifest
    manifest["config"]["engine"]["name"] = "dask"
    manifest["stages"]["classify"] = {"status": "started", "started_at": "x"}
    for later in ("narratives", "report"):
        manifest["stages"].pop(later)
    manifest.pop("finished_at")
    (copy / "manifest.json").write_text(json.dumps(manifest))
    shutil.rmtree(copy / "predictions")
    assert run.state() == "incomplete"
    resume_pipeline(copy, ['engine.name="local"'])
    assert run.state() == "finished"
    assert_same_outputs(local_run, copy)


def test_resume_changes_only_engine_settings():
    config = load_config()
    assert with_engine(config, ['engine.name="dask"', "engine.workers=3"])["engine"] == \
        {**config["engine"], "name": "dask", "workers": 3}
    with pytest.raises(ConfigError, match="only engine settings"):
        with_engine(config, ["clean.max_chars=10"])
    with pytest.raises(ConfigError, match="engine.name' must be one of local, dask"):
        with_engine(config, ['engine.name="spark"'])


def test_stage_commands_run_on_the_engine_the_config_names(tmp_path):
    """`disinfo clean RUN --set engine.name="dask"` re-cleans on a LocalCluster; same table."""
    from typer.testing import CliRunner

    from pipeline.cli import app
    runner = CliRunner()
    out = tmp_path / "r"
    ingest = runner.invoke(app, ["-q", "ingest", str(SAMPLE / "news.csv"), "--out", str(out),
                                 "--set", "ingest.chunk_size=30"])
    assert ingest.exit_code == 0, ingest.output
    tables = []
    for engine in ("local", "dask"):
        step = runner.invoke(app, ["-q", "clean", str(out), "--set", f'engine.name="{engine}"',
                                   "--set", "engine.workers=2"])
        assert step.exit_code == 0, step.output
        tables.append(pd.read_parquet(out / "cleaned"))
    assert len(tables[0]) > 90 and len(Run(out).parts("cleaned")) == 4
    pd.testing.assert_frame_equal(*tables)
