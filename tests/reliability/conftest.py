import pytest

from pipeline.model.predict import MechanismPredictor


@pytest.fixture
def fast_model(monkeypatch, predictor):
    """Runs in these tests reuse the session's loaded model instead of loading it per run."""
    monkeypatch.setattr(MechanismPredictor, "from_config", classmethod(lambda cls, c: predictor))
    return predictor
