"""The registry adopts the model in use, archives versions and refuses what it cannot do."""
import json
import shutil

import pytest

from pipeline.config import PROJECT_ROOT
from pipeline.labels.registry import ModelRegistry, RegistryError

SHIPPED = PROJECT_ROOT / "models" / "mechanisms"


def fake_version(tmp_path, version):
    folder = tmp_path / f"new-{version}"
    shutil.copytree(SHIPPED, folder)
    meta = json.loads((folder / "meta.json").read_text())
    meta["version"] = version
    (folder / "meta.json").write_text(json.dumps(meta))
    return folder


def test_adopts_promotes_and_rolls_back(tmp_path):
    champion = tmp_path / "models" / "mechanisms"
    shutil.copytree(SHIPPED, champion)
    registry = ModelRegistry(tmp_path / "models" / "registry.json", champion)
    shipped = json.loads((SHIPPED / "meta.json").read_text())["version"]
    assert registry.load()["champion"] == shipped
    assert (registry.versions_dir / shipped / "model.skops").exists()
    with pytest.raises(RegistryError, match="nothing to roll back"):
        registry.rollback("me")
    registry.register(fake_version(tmp_path, "v2"), trained_by="me")
    assert [v["status"] for v in registry.list()][-1] == "candidate"
    registry.promote("v2", "me")
    assert json.loads((champion / "meta.json").read_text())["version"] == "v2"
    assert registry.show(shipped)["status"] == "retired"
    assert registry.rollback("you") == shipped
    assert json.loads((champion / "meta.json").read_text())["version"] == shipped
    assert registry.load()["events"][-1]["by"] == "you"
    with pytest.raises(RegistryError, match="no model version"):
        registry.promote("v9", "me")
