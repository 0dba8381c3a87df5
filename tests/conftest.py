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
