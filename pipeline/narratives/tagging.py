"""Taxonomy tagging: cue phrases of `configs/taxonomy.toml` matched on lemmas.

Matching runs spaCy's PhraseMatcher over Docs built from the lemmas that the classify stage
stored (`parsed` table), so the statistical pipeline does not run a second time.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from ..model.taxonomy import TAXONOMY


@dataclass(frozen=True)
class Narrative:
    id: str
    name: str
    description: str
    cues: tuple[str, ...]
    min_hits: int = 1


class TaxonomyError(ValueError):
    """The taxonomy file is malformed; the message names the entry."""


def load_narratives(path: str | Path = TAXONOMY) -> list[Narrative]:
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    out = []
    for i, entry in enumerate(data.get("narrative", []), start=1):
        missing = {"id", "cues"} - set(entry)
        if missing:
            raise TaxonomyError(f"{path}: narrative #{i} lacks {', '.join(sorted(missing))}.")
        out.append(Narrative(entry["id"], entry.get("name", entry["id"]),
                             entry.get("description", ""), tuple(entry["cues"]),
                             int(entry.get("min_hits", 1))))
    if not out:
        raise TaxonomyError(f"{path} defines no [[narrative]] entries.")
    return out


GAP = " ... "  # "prepare ... war": the words in order, up to MAX_GAP words apart
MAX_GAP = 3


class TaxonomyTagger:
    """Tag lemmatised sentences with taxonomy narratives, keeping the matching sentences.

    A cue is a phrase (PhraseMatcher, exact lemma sequence) or, when it contains " ... ",
    words in order with up to three words between them (Matcher)."""

    def __init__(self, narratives: list[Narrative]):
        self.narratives = narratives
        self.nlp = spacy.blank("en")
        self.phrases = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self.gapped = Matcher(self.nlp.vocab)
        for narrative in narratives:
            phrases = [self._words(c) for c in narrative.cues if GAP not in c]
            self.phrases.add(narrative.id, [Doc(self.nlp.vocab, words=w) for w in phrases if w])
            gapped = [self._gapped(c) for c in narrative.cues if GAP in c]
            if gapped:
                self.gapped.add(narrative.id, gapped)

    def _words(self, cue: str) -> list[str]:
        """A cue tokenised as the stored lemmas are: lower case, punctuation dropped."""
        return [t.lower_ for t in self.nlp.make_doc(cue) if not t.is_punct]

    def _gapped(self, cue: str) -> list[dict]:
        pattern: list[dict] = []
        for i, part in enumerate(cue.split(GAP)):
            if i:
                pattern.append({"OP": f"{{0,{MAX_GAP}}}"})
            pattern.extend({"ORTH": w} for w in self._words(part))
        return pattern

    def tag(self, sent_lemmas: list[str]) -> dict[str, dict[str, Any]]:
        """{narrative id: {"hits": n, "cues": [...], "sentences": [indices]}}"""
        found: dict[str, dict[str, Any]] = {}
        for si, lemmas in enumerate(sent_lemmas):
            words = lemmas.split()
            if not words:
                continue
            doc = Doc(self.nlp.vocab, words=words)
            gapped = self.gapped(doc) if len(self.gapped) else []
            for match_id, start, end in [*self.phrases(doc), *gapped]:
                nid = self.nlp.vocab.strings[match_id]
                entry = found.setdefault(nid, {"hits": 0, "cues": [], "sentences": []})
                entry["hits"] += 1
                cue = doc[start:end].text
                if cue not in entry["cues"]:
                    entry["cues"].append(cue)
                if si not in entry["sentences"]:
                    entry["sentences"].append(si)
        minimum = {n.id: n.min_hits for n in self.narratives}
        return {k: v for k, v in found.items() if v["hits"] >= minimum[k]}
