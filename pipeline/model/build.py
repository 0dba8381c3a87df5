"""The mechanism model as one scikit-learn Pipeline: spaCy parse -> features -> head."""
from __future__ import annotations

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline

from ..features.embeddings import TextEmbedder
from ..features.parse import DEFAULT_CUE_SETS, DocParser
from .head import MechanismHead
from .transformers import CueVectorizer, DocField, SourceFeatures


def build_model(labels: list[str], *, spacy_model: str, sources: str, seed: int,
                cv_folds: int, c_grid: list[float], batch_size: int = 64,
                cue_sets: tuple[str, ...] = DEFAULT_CUE_SETS,
                voice_cues: tuple[str, ...] = (), embeddings: str = "",
                embedding_weight: float = 2.0, languages: str = "") -> Pipeline:
    """A fresh, unfitted mechanism model. `embeddings` names a sentence encoder
    (pipeline.features.embeddings) whose vectors join the features with `embedding_weight`;
    "" leaves them out. `languages` is the folder of language files the parser routes
    documents to by their `lang`."""
    words = Pipeline([
        ("field", DocField("lemmas")),
        ("tfidf", TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_df=0.5, sublinear_tf=True,
                                  token_pattern=r"\S+", lowercase=False)),
    ])
    chars = Pipeline([
        ("field", DocField("text")),
        ("tfidf", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2,
                                  max_df=0.5, sublinear_tf=True, max_features=60000)),
    ])
    blocks = [("words", words), ("chars", chars),
              ("cues", CueVectorizer(voice_cues=tuple(voice_cues))),
              ("source", SourceFeatures(sources))]
    weights = {"words": 1.0, "chars": 1.0, "cues": 0.7, "source": 1.0}
    if embeddings:
        blocks.append(("embeddings", TextEmbedder(embeddings)))
        weights["embeddings"] = embedding_weight
    features = FeatureUnion(blocks, transformer_weights=weights)
    return Pipeline([
        ("parse", DocParser(spacy_model=spacy_model, sources=sources,
                            cue_sets=tuple(cue_sets), batch_size=batch_size,
                            languages=languages)),
        ("features", features),
        ("head", MechanismHead(labels=tuple(labels), c_grid=tuple(c_grid), cv=cv_folds,
                               seed=seed)),
    ])
