"""Translations of the real labelled set, with their labels kept in step with the English gold.

Each line of `translations/euvsdisinfo.<lang>.jsonl` is one EUvsDisinfo text translated for
this project: `id` (`<English id>-<lang>`), `lang`, `translated_from` (`id`, `case`, `field`
of the English text), `translator` (the translation batch), `text`, and — copied from the
English gold in `euvsdisinfo.jsonl` — `genre`, `source` (the outlet metadata, untranslated),
`labels`, `direction` and `split`. A translation of an evaluation text is an evaluation text
of its language and is never trained on.

    python corpora/labelled/build_translations.py --raw DIR   # add translator outputs
    python corpora/labelled/build_translations.py             # re-sync labels and splits

`--raw DIR` reads translator outputs `DIR/<batch>.<lang>.jsonl` (`id`, `lang`, `text`, one
line per English text); without it the existing files are rewritten with the English gold's
current labels and splits (run it after a label correction). Translations of texts that the
English file no longer holds (left out for repeating a case title of posts.csv) are dropped.
"""
from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENGLISH = HERE / "euvsdisinfo.jsonl"
FOLDER = HERE / "translations"
COPIED = ("genre", "source", "labels", "direction", "split")


def english() -> dict[str, dict]:
    with open(ENGLISH, encoding="utf-8") as fh:
        return {r["id"]: r for r in map(json.loads, fh)}


def row(gold: dict, lang: str, text: str, translator: str) -> dict:
    return {"id": f"{gold['id']}-{lang}", "lang": lang,
            "translated_from": {"id": gold["id"], "case": gold["case"], "field": gold["field"]},
            "translator": translator, "text": text, **{k: gold[k] for k in COPIED}}


def path_for(lang: str) -> Path:
    return FOLDER / f"euvsdisinfo.{lang}.jsonl"


def read(lang: str) -> list[dict]:
    path = path_for(lang)
    if not path.is_file():
        return []
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def write(lang: str, rows: list[dict]) -> None:
    FOLDER.mkdir(exist_ok=True)
    rows = sorted(rows, key=lambda r: (r["translated_from"]["case"],
                                       r["translated_from"]["field"] != "summary"))
    with open(path_for(lang), "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--raw", default=None, help="folder of translator outputs to add")
    args = ap.parse_args()
    gold = english()
    rows: dict[str, dict[str, dict]] = defaultdict(dict)
    for path in sorted(FOLDER.glob("euvsdisinfo.*.jsonl")):
        for r in read(path.name.split(".")[1]):
            rows[r["lang"]][r["translated_from"]["id"]] = r
    if args.raw:
        for path in sorted(Path(args.raw).glob("*.*.jsonl")):
            batch, lang = path.name.split(".")[:2]
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    t = json.loads(line)
                    if not t["text"].strip():
                        raise SystemExit(f"{path}: empty text: {t['id']}")
                    rows[lang][t["id"]] = {"text": t["text"], "translator": batch}
    for lang, by_id in rows.items():
        by_id = {i: r for i, r in by_id.items() if i in gold}
        write(lang, [row(gold[i], lang, r["text"], r["translator"]) for i, r in by_id.items()])
        splits = defaultdict(int)
        for i in by_id:
            splits[gold[i]["split"]] += 1
        print(f"{lang}: {len(by_id)} texts {dict(splits)} -> {path_for(lang)}")


if __name__ == "__main__":
    main()
