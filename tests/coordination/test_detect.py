"""The detector on generated exports: exact and near-copy campaigns are found, organic posting
and benign mass duplicates are not."""
import numpy as np
import pandas as pd
import pytest

from pipeline.coordination.detect import CoordinationDetector

T0 = 1_700_000_000
WORDS = ("nato russia troops border baltic exercise missile radar poland latvia estonia "
         "lithuania army tanks summit minister claims report media story war peace "
         "security alliance drills sanctions pipeline gas election vote").split()


def organic(rng, n_accounts=300, n_posts=3000, days=3):
    rows = []
    for i in range(n_posts):
        words = rng.choice(WORDS, size=int(rng.integers(6, 14)))
        rows.append((f"user{rng.integers(n_accounts)}", T0 + int(rng.integers(0, days * 86400)),
                     " ".join(words) + f" {i}"))  # the counter keeps organic texts apart
    return rows


def campaign(rng, n_puppets=8, n_bursts=4, edit=False, prefix="sock"):
    rows = []
    for b in range(n_bursts):
        start = T0 + 3600 * (7 * b + 2)
        words = list(rng.choice(WORDS, size=16))
        for p in range(n_puppets):
            copy = list(words)
            if edit:  # a swapped word, another link, other hashtags
                copy[int(rng.integers(len(copy)))] = str(rng.choice(WORDS))
                copy += [f"#{rng.choice(WORDS)}", f"https://site{rng.integers(1000)}.example/a"]
            rows.append((f"{prefix}{p}", start + int(rng.integers(0, 90)), " ".join(copy)))
    return rows


def frame(rows):
    df = pd.DataFrame(rows, columns=["author", "time", "text"])
    df.insert(0, "id", [f"p{i}" for i in range(len(df))])
    return df


def members(det):
    return {a for accounts in det.clusters_["accounts"] for a in accounts}


@pytest.mark.parametrize("edit", [False, True], ids=["exact", "near"])
def test_campaign_is_one_cluster_with_its_posts(edit):
    rng = np.random.default_rng(1)
    rows = organic(rng) + campaign(rng, edit=edit)
    det = CoordinationDetector().fit(frame(rows))
    assert members(det) == {f"sock{p}" for p in range(8)}
    assert len(det.clusters_) == 1
    cluster = det.clusters_.iloc[0]
    assert cluster["n_bursts"] == 4 and cluster["n_posts"] == 32
    assert 0.5 < cluster["score"] <= 1.0
    assert set(det.posts_["cluster_id"]) == {cluster["cluster_id"]}
    edges = det.edges_
    assert len(edges) == 8 * 7 // 2 and (edges["events"] == 4).all()
    assert all(len(ids) == 8 for ids in edges["post_ids"])  # 4 events x 2 accounts


def test_near_copies_need_the_text_channel():
    rng = np.random.default_rng(2)
    rows = organic(rng) + campaign(rng, edit=True)
    exact_only = CoordinationDetector(similarity=1.0, channels=("text",)).fit(frame(rows))
    assert len(members(exact_only)) < 8


def test_benign_mass_duplicates_form_no_cluster():
    """Two headlines, each shared with the same share-button text and link by 2,000 unrelated
    accounts over a day, plus stock phrases posted all the time."""
    rng = np.random.default_rng(3)
    rows = organic(rng, n_accounts=3000)
    for h, headline in enumerate(["Ministers meet in Brussels to discuss the alliance budget",
                                  "Storm closes the port of Riga for two days"]):
        for account in rng.choice(3000, size=2000, replace=False):
            rows.append((f"user{account}", T0 + h * 86400 + int(rng.exponential(4 * 3600)),
                         f"{headline} via @news https://news.example/{h}?utm_source=share"))
    for account in rng.choice(3000, size=3000):
        rows.append((f"user{account}", T0 + int(rng.integers(0, 3 * 86400)),
                     str(rng.choice(["good morning everyone", "so true", "well said"]))))
    det = CoordinationDetector().fit(frame(rows))
    assert det.clusters_.empty and det.posts_.empty
    assert det.stats_["events"]["text"] > 0  # there were co-posts; discounting removed them


def test_hyperactive_accounts_get_no_edge():
    """A feed account posts every headline the moment it appears; readers re-post some of
    them, the fastest within a minute or two: the feed co-posts with many readers often."""
    rng = np.random.default_rng(4)
    rows = organic(rng)
    for h in range(300):
        t = T0 + h * 800
        text = f"Headline number {h} about {rng.choice(WORDS)} and {rng.choice(WORDS)}"
        rows.append(("feedbot", t, text))
        for r in rng.choice(300, size=40, replace=False):
            rows.append((f"user{r}", t + int(rng.exponential(1800)), text))
    det = CoordinationDetector().fit(frame(rows))
    assert det.clusters_.empty
    undiscounted = CoordinationDetector(burst_seconds=10**7, popular_accounts=10**6,
                                        min_overlap=0.0).fit(frame(rows))
    assert "feedbot" in members(undiscounted)  # the setting does make edges without the checks


def test_unknown_channel_is_an_error():
    with pytest.raises(ValueError, match="unknown coordination channel"):
        CoordinationDetector(channels=("text", "likes")).fit(frame(campaign(np.random.default_rng(0))))
