"""Span annotations in the SemEval-2020 Task 11 format: a folder of `article<ID>.txt` files and
a tab-separated labels file of `article_id  technique  start  end` lines (character offsets,
end exclusive; a span with two techniques is two lines)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

ARTICLE = re.compile(r"^article(\d+)\.txt$")


class SpanDataError(ValueError):
    """Span annotations that cannot be read; the message lists what and where."""


@dataclass
class SpanCorpus:
    articles: dict[str, str]
    spans: pd.DataFrame  # article_id, technique, start, end, text
    problems: list[str] = field(default_factory=list)  # lines that were not usable, and why


def read_articles(folder: str | Path) -> dict[str, str]:
    folder = Path(folder)
    if not folder.is_dir():
        raise SpanDataError(f"{folder} is not a folder of article<ID>.txt files.")
    articles = {}
    for path in sorted(folder.iterdir()):
        m = ARTICLE.match(path.name)
        if m:
            articles[m.group(1)] = path.read_text(encoding="utf-8")
    if not articles:
        raise SpanDataError(f"{folder} holds no article<ID>.txt files.")
    return articles


def read_ptc(articles_dir: str | Path, labels_file: str | Path) -> SpanCorpus:
    """Articles and their labelled spans. Lines that are malformed, name an unknown article or
    fall outside their article are listed in `problems`, not used, and never dropped
    silently: callers report them."""
    articles = read_articles(articles_dir)
    rows, problems = [], []
    path = Path(labels_file)
    if not path.is_file():
        raise SpanDataError(f"labels file {path} does not exist.")
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.rstrip("\n").split("\t")
        if len(parts) != 4:
            problems.append(f"{path.name}:{n}: expected 4 tab-separated fields, got {len(parts)}")
            continue
        article, technique, start, end = parts
        try:
            start_i, end_i = int(start), int(end)
        except ValueError:
            problems.append(f"{path.name}:{n}: offsets '{start}', '{end}' are not integers")
            continue
        text = articles.get(article)
        if text is None:
            problems.append(f"{path.name}:{n}: no article{article}.txt in {articles_dir}")
            continue
        if not 0 <= start_i < end_i <= len(text):
            problems.append(f"{path.name}:{n}: span {start_i}-{end_i} lies outside article "
                            f"{article} ({len(text)} characters)")
            continue
        rows.append((article, technique, start_i, end_i, text[start_i:end_i]))
    spans = pd.DataFrame(rows, columns=["article_id", "technique", "start", "end", "text"])
    return SpanCorpus(articles, spans, problems)


def read_split(root: str | Path, split: str) -> SpanCorpus:
    """`root/<split>/` articles with `root/<split>.labels.tsv` (the shared data's layout)."""
    root = Path(root)
    return read_ptc(root / split, root / f"{split}.labels.tsv")
