"""Write the EUvsDisinfo annotation pool: one row per text (claim summary or disproof).

Reads `../shared/data/euvsdisinfo_cases/cases.csv` and writes a CSV with `id`
(`euvs-<case>-summary|disproof`), `case`, `field` (`summary`, the pro-Kremlin claim in its own
voice, or `disproof`, the fact-checkers' debunk), `text`, `source` (the outlet where the claim
appeared, for summaries; empty for disproofs, whose publisher is EUvsDisinfo), `outlet`,
`outlet_language`, `date` and `keywords`. `--exclude-cases FILE` leaves out the cases listed
in FILE (one case number per line), e.g. those of the frozen evaluation split, so that
`disinfo suggest` never proposes them. This feeds the labelling loop described in
`corpora/labelled/README.md`:

    python corpora/labelled/euvsdisinfo_pool.py --out pool.csv --exclude-cases eval_cases.txt
    disinfo run pool.csv --out runs/pool
    disinfo suggest runs/pool --n 200 --strategy mixed --format jsonl --out batch.jsonl
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT.parent / "shared" / "data" / "euvsdisinfo_cases" / "cases.csv"
FIELDS = ("summary", "disproof")


def pool(cases: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for r in cases.itertuples(index=False):
        for field in FIELDS:
            text = getattr(r, field)
            if not isinstance(text, str) or not text.strip():
                continue
            rows.append({"id": f"euvs-{r.case}-{field}", "case": int(r.case), "field": field,
                         "text": text.strip(),
                         "source": r.outlet if field == "summary" else "",
                         "outlet": r.outlet, "outlet_language": r.outlet_language,
                         "date": r.date, "keywords": r.keywords})
    return pd.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", default=str(CASES))
    ap.add_argument("--out", required=True)
    ap.add_argument("--exclude-cases", default=None)
    args = ap.parse_args()
    cases = pd.read_csv(args.cases, dtype={"case": int})
    frame = pool(cases)
    if args.exclude_cases:
        excluded = {int(x) for x in Path(args.exclude_cases).read_text().split()}
        frame = frame[~frame["case"].isin(excluded)]
    frame.to_csv(args.out, index=False)
    print(f"{len(frame)} texts of {frame['case'].nunique()} cases -> {args.out}")


if __name__ == "__main__":
    main()
