"""Integration on real data from ../shared/data (skipped with a reason when absent)."""
import pandas as pd
import pytest

from pipeline import load_config, run_pipeline
from tests.conftest import SHARED_DATA

POSTS = SHARED_DATA / "euvsdisinfo_posts" / "posts.csv"
needs_data = pytest.mark.skipif(not POSTS.is_file(), reason=f"{POSTS} not present")


@needs_data
@pytest.mark.shared_data
def test_euvsdisinfo_sample_through_the_pipeline(tmp_path):
    sample = tmp_path / "posts.csv"
    pd.read_csv(POSTS, dtype=str).sample(400, random_state=1).to_csv(sample, index=False)
    run = run_pipeline([str(sample)], str(tmp_path / "run"), load_config(),
                       mapping={"text": "title", "source": "outlets", "published_at": "date"})
    acc = run.manifest["accounting"]
    assert acc["input_records"] == 400 and acc["balanced"]
    pred = pd.read_parquet(run.path / "predictions.parquet")
    assert len(pred) == acc["analysed"] and pred["id"].is_unique
    state = pred["source"].str.contains(r"\b(?:RT|Sputnik|TASS)\b", na=False)
    assert pred.loc[state, "state_media"].mean() > 0.95
