"""The run folder's lock, stage state and `--resume`: nothing stale is presented, nothing is
lost when a run dies, a second run never writes into a busy folder."""
import json
import os
import socket
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from pipeline import load_config
from pipeline.cli import app
from pipeline.run import STAGES, resume_pipeline, run_pipeline, run_stage
from pipeline.store import LOCK, Run, RunBusyError, RunIncompleteError
from tests.conftest import write

runner = CliRunner()


def _lock(folder, pid, host=None):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / LOCK).write_text(json.dumps({"pid": pid, "host": host or socket.gethostname(),
                                           "started_at": "2026-01-01T00:00:00+00:00",
                                           "stage": "classify"}))


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_busy_folder_is_refused_and_a_stale_lock_is_taken_over(tmp_path):
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _lock(tmp_path / "busy", live.pid)
        with pytest.raises(RunBusyError, match=f"in use by process {live.pid}"):
            Run.create(tmp_path / "busy", overwrite=True)
        result = runner.invoke(app, ["-q", "ingest", str(write(tmp_path / "a.csv", "text\nx\n")),
                                     "--out", str(tmp_path / "busy"), "--overwrite"])
        assert result.exit_code == 2 and f"in use by process {live.pid}" in result.output
        assert Run(tmp_path / "busy").state() == "running"
    finally:
        live.kill()
        live.wait()
    _lock(tmp_path / "stale", _dead_pid())
    run = Run.create(tmp_path / "stale")  # the process that held it is gone
    assert json.loads((run.path / LOCK).read_text())["pid"] == os.getpid()
    run.release()
    assert not (run.path / LOCK).exists()


def test_overwrite_never_deletes_a_run_that_is_still_working(tmp_path, config):
    run = Run.create(tmp_path / "r")  # holds the lock, like a run in progress
    write(run.path / "cleaned/part-00000.parquet", b"in progress")
    child = subprocess.run(
        [sys.executable, "-c", "import sys; from pipeline.store import Run; "
         "Run.create(sys.argv[1], overwrite=True)", str(run.path)],
        capture_output=True, text=True)
    assert child.returncode != 0 and "RunBusyError" in child.stderr
    assert (run.path / "cleaned/part-00000.parquet").read_bytes() == b"in progress"
    run.release()


def test_an_unfinished_stage_makes_the_run_incomplete_for_every_reader(tmp_path, config):
    data = write(tmp_path / "a.csv", "text\nNATO is preparing an attack.\nweather\n")
    run = Run.create(tmp_path / "r")
    run.update_manifest(config=config)
    run_stage(run, "ingest", config, [str(data)])
    run_stage(run, "clean", config)
    write(run.path / "report.html", "<p>an old report</p>")
    run.start_stage("classify")  # ... and the process dies here
    run.release()
    assert run.state() == "incomplete" and run.unfinished() == ["classify"]
    assert not (run.path / "report.html").exists()  # no stale report is left to read
    with pytest.raises(RunIncompleteError, match="--resume"):
        run_stage(run, "report", config)
    result = runner.invoke(app, ["-q", "report", str(run.path)])
    assert result.exit_code == 2 and "incomplete" in result.output
    result = runner.invoke(app, ["-q", "suggest", str(run.path), "--out",
                                 str(tmp_path / "t.json")])
    assert result.exit_code == 2 and "incomplete" in result.output


def _corpus(tmp_path):
    rows = ["headline,body,outlet,date"] + [
        f"T{i},{text} ({i}),{outlet},2021-0{1 + i % 9}-1{i % 10}"
        for i, (text, outlet) in enumerate(
            [("NATO is preparing an attack on Russia from Poland", "RT"),
             ("The Western media lie about Syria; it is Russophobia", "TASS"),
             ("Riga's weather is lovely this week", "LSM"),
             ("Bot accounts posted the identical message", "Reuters")] * 6)]
    news = write(tmp_path / "in/news.csv", "\n".join(rows) + "\n")
    posts = write(tmp_path / "in/posts.jsonl", "\n".join(
        json.dumps({"message": f"Share this: NATO lies about Ukraine #{i % 3}",
                    "account": f"acct{i % 4}", "created_at": f"2021-05-05T10:0{i % 10}:00Z"})
        for i in range(24)) + "\n")
    return [str(news), str(posts)]


def _outputs(run):
    files = ["predictions.csv", "predictions.parquet"] + sorted(
        str(p.relative_to(run.path)) for p in (run.path / "tables").glob("*.csv"))
    return {name: (run.path / name).read_bytes() for name in files}


@pytest.mark.slow
def test_a_run_that_dies_in_any_stage_resumes_to_the_same_outputs(tmp_path, config,
                                                                  monkeypatch):
    config["ingest"]["chunk_size"] = 10  # several parts per stage, so deaths fall mid-stage
    inputs = _corpus(tmp_path)
    reference = _outputs(run_pipeline(inputs, str(tmp_path / "ref"), config))
    for stage in STAGES:
        real = STAGES[stage]

        def dies_midway(run, *args, real=real, **kwargs):
            original, renames = os.replace, []

            def replace(src, dst):  # every file of a run is renamed into place
                renames.append(dst)
                if len(renames) == 2:
                    raise KeyboardInterrupt("killed")  # dies after its first file
                return original(src, dst)
            monkeypatch.setattr(os, "replace", replace)
            try:
                return real(run, *args, **kwargs)
            finally:
                monkeypatch.setattr(os, "replace", original)
        monkeypatch.setitem(STAGES, stage, dies_midway)
        out = tmp_path / f"died-in-{stage}"
        with pytest.raises(KeyboardInterrupt):
            run_pipeline(inputs, str(out), config)
        monkeypatch.setitem(STAGES, stage, real)
        assert Run(out).state() == "incomplete", stage
        resumed = resume_pipeline(out)
        assert resumed.state() == "finished" and resumed.manifest["accounting"]["balanced"]
        assert _outputs(resumed) == reference, stage
