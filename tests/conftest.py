import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from pipeline.config import PROJECT_ROOT, load_config  # noqa: E402

SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"


@pytest.fixture
def config():
    return load_config()


@pytest.fixture(scope="session", autouse=True)
def load_each_model_once():
    """Runs inside the tests load a model folder once per test process, not once per run
    (loading the shipped model takes 10-30 s). A folder whose model.skops or meta.json changes
    is loaded again, so tests of damaged or edited models see their own files."""
    from pipeline.model import predict
    real, cache = predict.load_model, {}

    def load_model(folder):
        path = Path(folder).resolve()
        key = (path, *((path / name).stat().st_mtime_ns for name in ("model.skops", "meta.json")
                       if (path / name).exists()))
        if key not in cache:
            cache[key] = real(folder)
        model, meta = cache[key]
        return model, dict(meta)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(predict, "load_model", load_model)
        yield


@pytest.fixture(scope="session")
def predictor():
    from pipeline.model.predict import MechanismPredictor
    return MechanismPredictor.from_config(load_config())


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path
