"""Model archives: what skops is given to store."""
import json
import zipfile

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline

from pipeline.model.io import _read, save_model

TEXTS = [f"nato troops exercise number {i} near the border of state {i % 7}" for i in range(50)]


def test_vectorizer_vocabularies_are_stored_as_plain_ints(tmp_path):
    """scikit-learn leaves NumPy integers in `vocabulary_` under max_features; skops would
    store each as its own array file (60,000 of them in the shipped model)."""
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), max_features=100)
    model = Pipeline([("tfidf", vectorizer)]).fit(TEXTS)
    assert any(isinstance(v, np.integer) for v in vectorizer.vocabulary_.values())
    expected = model.transform(TEXTS).toarray()
    save_model(model, tmp_path, {"labels": []})
    archive = zipfile.ZipFile(tmp_path / "model.skops")
    assert len(archive.namelist()) < 20  # schema + a few arrays, not one file per term
    loaded = _read(tmp_path / "model.skops")
    vocabulary = loaded.named_steps["tfidf"].vocabulary_
    assert len(vocabulary) == 100 and all(type(v) is int for v in vocabulary.values())
    assert np.array_equal(loaded.transform(TEXTS).toarray(), expected)
    assert json.loads((tmp_path / "meta.json").read_text())["files"]["model.skops"]
