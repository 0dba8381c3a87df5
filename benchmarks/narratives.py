"""Narratives on EUvsDisinfo titles: coherence, taxonomy recall on keyed rows, stable ids.

    python benchmarks/narratives.py [--data PATH] [--run RUN_DIR]

Without --run it first runs the pipeline on the data (titles as text, outlets as source,
dates) into a temporary folder. Weak labels from the data's keywords:
NATO -> nato_expansion / military_provocation / deterrence_reassurance;
Crimea, Ukraine -> crimea_ukraine; Russophobia, Anti-Russian -> western_hostility.
Stable ids: discovery on the rows dated 2015-2018 with a fresh store, then on 2015-2021 with
that store; the share of the first run's narratives whose ids come back. Prints JSON.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import Run, load_config, run_pipeline  # noqa: E402
from pipeline.narratives.discovery import discover  # noqa: E402
from pipeline.narratives.store import NarrativeStore  # noqa: E402

GROUPS = {
    "NATO": ({"NATO"}, {"nato_expansion", "military_provocation", "deterrence_reassurance"}),
    "Crimea/Ukraine": ({"Crimea", "Ukraine"}, {"crimea_ukraine"}),
    "Russophobia/Anti-Russian": ({"Russophobia", "Anti-Russian"}, {"western_hostility"}),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(ROOT.parent / "shared/data/euvsdisinfo_posts/posts.csv"))
    ap.add_argument("--run", default=None, help="an existing run folder of this data")
    args = ap.parse_args()
    if not Path(args.data).is_file():
        sys.exit(f"data not found: {args.data}")
    config = load_config()
    started = time.perf_counter()
    if args.run:
        run = Run.open(args.run)
    else:
        tmp = tempfile.mkdtemp(prefix="narratives-bench-")
        run = run_pipeline([args.data], str(Path(tmp) / "run"), config,
                           mapping={"text": "title", "source": "outlets", "published_at": "date"})
    pipeline_seconds = time.perf_counter() - started
    stage = run.manifest["stages"]["narratives"]
    raw = pd.read_csv(args.data, dtype=str).fillna("")
    keys = dict(zip(raw["id"], raw["keywords"].str.split("+").apply(set)))
    tags = pd.concat(run.iter_table("narratives", columns=["id", "taxonomy"]))
    tags["keys"] = [keys.get(i, set()) for i in tags["id"]]
    tags["tagset"] = tags["taxonomy"].apply(set)
    result = {"data": args.data, "documents": int(len(tags)),
              "coherence_npmi": stage["coherence"], "discovered": stage["counts"]["discovered"],
              "taxonomy_recall": {}, "taxonomy_rate_on_other_rows": {}}
    for name, (keywords, narratives) in GROUPS.items():
        keyed = tags["keys"].apply(lambda k: bool(k & keywords))
        hit = tags["tagset"].apply(lambda t: bool(t & narratives))
        result["taxonomy_recall"][name] = round(float(hit[keyed].mean()), 4)
        result["taxonomy_rate_on_other_rows"][name] = round(float(hit[~keyed].mean()), 4)
    clusters = pd.read_parquet(run.path / "clusters.parquet")
    result["clusters"] = [{"id": r.narrative_id, "label": r.label, "size": int(r.size),
                           "npmi": r.coherence_npmi, "taxonomy": list(r.taxonomy)}
                          for r in clusters.itertuples()]
    result["stable_ids"] = stable_ids(run, config["narratives"])
    result["method_comparison"] = method_comparison(run, config["narratives"],
                                                    stage["counts"]["k"])
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["pipeline_seconds"] = round(pipeline_seconds, 1)
    print(json.dumps(result, indent=2, default=str))


def stable_ids(run: Run, cfg) -> dict:
    parsed = pd.concat(run.iter_table("parsed", columns=["id", "sent_lemmas"]))
    dates = pd.concat(run.iter_table("predictions", columns=["id", "published_at"]))
    df = parsed.merge(dates, on="id")
    df["year"] = df["published_at"].str[:4].astype("Int64")
    df["text"] = df["sent_lemmas"].apply(" ".join)
    first = df[(df["year"] >= 2015) & (df["year"] <= 2018)]
    second = df[(df["year"] >= 2015) & (df["year"] <= 2021)]
    store = NarrativeStore()
    a = discover(first["text"].tolist(), cfg)
    ids_a, _ = store.assign(a.terms, a.labels, "2015-2018", cfg["match_threshold"])
    b = discover(second["text"].tolist(), cfg, store.stored_terms())
    ids_b, sims = store.assign(b.terms, b.labels, "2015-2021", cfg["match_threshold"])
    kept = sorted(set(ids_a) & set(ids_b))
    return {"first_run": {"documents": int(len(first)), "narratives": ids_a, "k": a.k},
            "second_run": {"documents": int(len(second)), "narratives": ids_b, "k": b.k},
            "kept": kept, "kept_share": round(len(kept) / len(ids_a), 4),
            "mean_match_similarity": round(float(np.mean([s for s in sims if s > 0] or [0])),
                                           4)}


def method_comparison(run: Run, cfg, k: int) -> dict:
    """Mean NPMI of NMF (the stage's method) and LDA topics with the same k and vocabulary,
    on the same document co-occurrence: the measurement behind the choice of NMF."""
    import scipy.sparse as sp
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer

    from pipeline.narratives.coherence import npmi_coherence
    from pipeline.narratives.discovery import _vectorizer

    texts = [" ".join(l) for l in
             pd.concat(run.iter_table("parsed", columns=["sent_lemmas"]))["sent_lemmas"]]
    tfidf = _vectorizer(cfg, len(texts))
    X = tfidf.fit_transform(texts)
    counts = CountVectorizer(vocabulary=tfidf.vocabulary_, ngram_range=tfidf.ngram_range,
                             token_pattern=tfidf.token_pattern).fit_transform(texts)
    binary = sp.csc_matrix((X > 0).astype(np.float32))
    n = cfg["top_terms"]
    out = {"k": k}
    started = time.perf_counter()
    nmf = discover(texts, dict(cfg, k_candidates=[k]))
    out["nmf_npmi"] = round(float(np.mean(nmf.topic_coherence)), 4)
    out["nmf_seconds"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    lda = LatentDirichletAllocation(n_components=k, random_state=cfg["seed"],
                                    learning_method="online").fit(counts)
    tops = [list(np.argsort(c)[::-1][:n]) for c in lda.components_]
    out["lda_npmi"] = round(float(np.mean(npmi_coherence(binary, tops))), 4)
    out["lda_seconds"] = round(time.perf_counter() - started, 1)
    return out


if __name__ == "__main__":
    main()
