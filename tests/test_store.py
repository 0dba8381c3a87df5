import os
import stat

import pandas as pd
import pytest

from pipeline.store import Run, RunExistsError, atomic_path, write_json, write_parquet


def test_atomic_write_leaves_old_file_when_writer_fails(tmp_path):
    target = tmp_path / "a.json"
    write_json(target, {"v": 1})
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert target.read_text().strip().endswith("}")
    assert '"v": 1' in target.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]  # no temporary left over


def test_written_files_get_normal_permissions(tmp_path):
    target = tmp_path / "t.parquet"
    write_parquet(target, pd.DataFrame({"a": [1]}))
    mode = stat.S_IMODE(os.stat(target).st_mode)
    assert mode & stat.S_IRGRP and mode & stat.S_IROTH


def test_run_requires_overwrite_and_never_deletes_foreign_folders(tmp_path):
    run = Run.create(tmp_path / "run")
    run.write_part("t", 0, pd.DataFrame({"a": [1, 2]}))
    with pytest.raises(RunExistsError, match="--overwrite"):
        Run.create(tmp_path / "run")
    again = Run.create(tmp_path / "run", overwrite=True)
    assert not again.has_table("t")
    foreign = tmp_path / "docs"
    foreign.mkdir()
    (foreign / "thesis.txt").write_text("precious")
    with pytest.raises(RunExistsError, match="not a run folder|holds no"):
        Run.create(foreign, overwrite=True)
    assert (foreign / "thesis.txt").exists()


def test_tables_are_streamed_by_part(tmp_path):
    run = Run.create(tmp_path / "run")
    run.write_part("t", 0, pd.DataFrame({"a": [1, 2]}))
    run.write_part("t", 1, pd.DataFrame({"a": [3]}))
    assert [len(c) for c in run.iter_table("t")] == [2, 1]
    assert run.count_rows("t") == 3
    with pytest.raises(FileNotFoundError, match="no 'missing' table"):
        next(run.iter_table("missing"))


def test_duckdb_connections_are_bounded_by_the_config_and_spill_into_the_run(tmp_path):
    from pipeline.config import load_config
    run = Run.create(tmp_path / "r")
    con = run.duckdb(load_config(overrides=["tables.duckdb_memory_mb=100"]))
    limit = con.execute("select current_setting('memory_limit')").fetchone()[0]
    assert limit == "95.3 MiB"  # 100 MB
    temp = con.execute("select current_setting('temp_directory')").fetchone()[0]
    assert temp == str(run.path / ".duckdb-tmp")
    con.close()


@pytest.mark.parametrize("url", ["s3://bucket/runs/a", "gs://bucket/run", "file:///tmp/x"])
def test_a_url_is_not_a_run_folder(tmp_path, monkeypatch, url):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="Mount the storage"):
        Run.create(url)
    assert not any(tmp_path.iterdir())  # no local folder named "s3:" was made
