"""Build `euvsdisinfo.jsonl` (the real labelled set) from its annotations and the cases.

Inputs: `euvsdisinfo_annotations.jsonl` beside this file (every annotation decision: id,
round, pass, annotator, labels, direction, note) and `../shared/data/euvsdisinfo_cases/
cases.csv` (the texts and their metadata). Gold = the adjudicated decision where an
adjudication pass exists, else the first pass; the blind second pass only measures
agreement (`agreement()`).

The frozen evaluation split: the cases drawn at random (rounds `r0-random` and `r2-random`,
never picked by a model) are stratified by genre and label — the stratum of a case is which
of state_media (summary), sowing_doubt (summary), mutual_accusation (summary) and
mutual_accusation (disproof) its two texts carry — and within each stratum 80% of the cases
(rounded up, seeded) go to `test`, both texts of a case together. Everything else is
`train`, except training texts whose wording equals an evaluation text's (split
`heldout-duplicate`), so that no evaluation text is ever trained on. The split is frozen: a
rebuild keeps the split of every case already in `euvsdisinfo.jsonl` (a corrected label
never moves a case), and only cases new to the file are assigned.

Left out of the file (and so of training and evaluation), with their annotations kept: texts
that repeat an EUvsDisinfo case title of `../shared/data/euvsdisinfo_posts/posts.csv` (equal
to a title, or containing one of five words or more) and texts that carry one of its case
links (`https://euvsdisinfo.eu/report/...`). Titles stay out of the repository and out of
training, so that the weak-label benchmark on them stays a held-out measurement.

    python corpora/labelled/build_euvsdisinfo.py            # rewrites euvsdisinfo.jsonl
    python corpora/labelled/build_euvsdisinfo.py --agreement
"""
from __future__ import annotations

import argparse
import json
import math
import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1].parent / "shared" / "data"
CASES = SHARED / "euvsdisinfo_cases" / "cases.csv"
POSTS = SHARED / "euvsdisinfo_posts" / "posts.csv"
TITLE_WORDS = 5  # a title of at least this many words counts when contained in a text
ANNOTATIONS = HERE / "euvsdisinfo_annotations.jsonl"
OUT = HERE / "euvsdisinfo.jsonl"
LABELS = ("state_media", "coordinated_campaign", "sowing_doubt", "mutual_accusation")
RANDOM_ROUNDS = ("r0-random", "r2-random")
TEST_SHARE = 0.8
SEED = 2026


def read_annotations(path: Path = ANNOTATIONS) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def gold(annotations: list[dict]) -> dict[str, dict]:
    """id -> the decision that counts: adjudication > first pass (the latest adjudication
    when there are several)."""
    rank = {"first": 1, "adjudication": 2}
    out: dict[str, dict] = {}
    for a in annotations:
        if a["pass"] in rank and rank[a["pass"]] >= rank.get(out.get(a["id"], {}).get("pass"), 0):
            out[a["id"]] = a
    return out


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def frozen_split(path: Path = OUT) -> dict[int, str]:
    """case -> `test`/`train` as fixed in an existing euvsdisinfo.jsonl (empty if none)."""
    if not path.is_file():
        return {}
    out = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            out[row["case"]] = "test" if row["split"] == "test" else "train"
    return out


def title_matches(texts: list[str], posts_path: Path = POSTS) -> list[str | None]:
    """Per text, why it must stay out of the repository (`posts_title`, `posts_link`) or
    None: it equals a case title of posts.csv, contains one of TITLE_WORDS words or more, or
    contains one of its case links."""
    posts = pd.read_csv(posts_path, dtype=str, keep_default_na=False)
    norm = [_norm(t) for t in texts]
    everything = "\n".join(norm)
    titles = {_norm(t) for t in posts["title"] if t.strip()}
    contained = [t for t in titles if len(t.split()) >= TITLE_WORDS and t in everything]
    links = [u.lower() for u in posts["id"] if u and u.lower() in everything]
    out: list[str | None] = []
    for text in norm:
        if text in titles or any(t in text for t in contained):
            out.append("posts_title")
        elif any(u in text for u in links):
            out.append("posts_link")
        else:
            out.append(None)
    return out


def frozen_ids(path: Path = OUT) -> list[str]:
    """The ids of the texts in an existing euvsdisinfo.jsonl."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line)["id"] for line in fh if line.strip()]


def build(cases_path: Path = CASES, annotations_path: Path = ANNOTATIONS,
          frozen: dict[int, str] | None = None, posts_path: Path = POSTS) -> list[dict]:
    cases = pd.read_csv(cases_path, dtype={"case": int}, keep_default_na=False).set_index("case")
    decided = gold(read_annotations(annotations_path))
    rows = []
    for doc_id, a in decided.items():
        _, case, field = doc_id.split("-")
        c = cases.loc[int(case)]
        rows.append({"id": doc_id, "case": int(case), "field": field,
                     "genre": "claim" if field == "summary" else "debunk",
                     "date": c["date"], "outlet": c["outlet"],
                     "outlet_language": c["outlet_language"] or None,
                     "text": c[field].strip(), "source": c["outlet"] if field == "summary" else None,
                     "labels": [l for l in LABELS if l in a["labels"]],
                     "direction": a["direction"], "round": a["round"], "pass": a["pass"]})
    split = {**_split(rows), **(frozen or {})}
    test_texts = {_norm(r["text"]) for r in rows if split[r["case"]] == "test"}
    for r in rows:
        r["split"] = split[r["case"]]
        if r["split"] == "train" and _norm(r["text"]) in test_texts:
            r["split"] = "heldout-duplicate"
    reasons = title_matches([r["text"] for r in rows], posts_path)
    kept = [r for r, why in zip(rows, reasons) if why is None]
    return sorted(kept, key=lambda r: (r["case"], r["field"] != "summary"))


def _split(rows: list[dict]) -> dict[int, str]:
    """case -> test/train; only cases of the random rounds can be test."""
    strata: dict[tuple, list[int]] = defaultdict(list)
    by_case: dict[int, dict[str, dict]] = defaultdict(dict)
    for r in rows:
        by_case[r["case"]][r["field"]] = r
    split = {case: "train" for case in by_case}
    for case, texts in sorted(by_case.items()):
        if not all(t["round"] in RANDOM_ROUNDS for t in texts.values()):
            continue
        s, d = texts.get("summary", {}), texts.get("disproof", {})
        key = ("state_media" in s.get("labels", []), "sowing_doubt" in s.get("labels", []),
               "mutual_accusation" in s.get("labels", []),
               "mutual_accusation" in d.get("labels", []))
        strata[key].append(case)
    rng = np.random.default_rng(SEED)
    for key in sorted(strata):
        members = sorted(strata[key])
        chosen = rng.choice(members, size=math.ceil(TEST_SHARE * len(members)), replace=False)
        for case in chosen:
            split[int(case)] = "test"
    return split


def agreement(annotations_path: Path = ANNOTATIONS, second: str = "blind-second") -> dict:
    """Cohen's kappa per label (and direction agreement) between the first pass and a blind
    second pass (`blind-second`: 200 texts of r0; `blind-test`: the whole evaluation split)
    over the texts labelled twice that are in `euvsdisinfo.jsonl`."""
    from sklearn.metrics import cohen_kappa_score
    anns = read_annotations(annotations_path)
    first = {a["id"]: a for a in anns if a["pass"] == "first"}
    other = {a["id"]: a for a in anns if a["pass"] == second}
    released = set(frozen_ids())
    ids = sorted(set(first) & set(other) & released)
    out = {"second_pass": second, "texts": len(ids), "per_label": {}}
    for label in LABELS:
        x = [int(label in first[i]["labels"]) for i in ids]
        y = [int(label in other[i]["labels"]) for i in ids]
        kappa = cohen_kappa_score(x, y) if len(set(x) | set(y)) > 1 else None
        out["per_label"][label] = {
            "kappa": None if kappa is None else round(float(kappa), 3),
            "positives_first": sum(x), "positives_second": sum(y),
            "agree": sum(a == b for a, b in zip(x, y))}
    both = [i for i in ids if "mutual_accusation" in first[i]["labels"]
            and "mutual_accusation" in other[i]["labels"]]
    out["direction"] = {"both_positive": len(both),
                        "same_direction": sum(first[i]["direction"] == other[i]["direction"]
                                              for i in both)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", default=str(CASES))
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--agreement", action="store_true", help="print agreement and exit")
    args = ap.parse_args()
    if args.agreement:
        print(json.dumps([agreement(second=p) for p in ("blind-second", "blind-test")],
                         indent=2))
        return
    rows = build(Path(args.cases), frozen=frozen_split(Path(args.out)))
    with open(args.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    frame = pd.DataFrame(rows)
    print(f"{len(rows)} texts -> {args.out}")
    print(frame.groupby(["split", "genre"]).size().to_string())


if __name__ == "__main__":
    main()
