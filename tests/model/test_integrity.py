"""Model integrity: meta.json records the SHA-256 of every file of a model folder that
prediction reads; a changed, damaged or added file, an edited meta.json or an archive that is
not a skops zip is refused with a ModelError naming the file; the outlet registry and the
language files travel with the model."""
import json
import pickle
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import skops.io as sio
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import PROJECT_ROOT, load_config
from pipeline.labels.registry import ModelRegistry
from pipeline.model import MechanismPredictor, train
from pipeline.model.data import data_hash
from pipeline.model.io import (ModelError, load_baseline, load_model, save_model,
                               verify_folder)
from tests.conftest import write

SEED_SET = PROJECT_ROOT / "corpora" / "labelled" / "mechanisms.jsonl"
SOURCES = PROJECT_ROOT / "configs" / "sources.toml"
LANGUAGES = PROJECT_ROOT / "configs" / "languages"
# an outlet that only the registry the test model is trained with knows
TEST_OUTLET = """
[[outlet]]
name = "Integrity Test Radio"
aliases = ["Integrity Test Radio"]
country = "RU"
affiliation = "state"
"""


def fast_config(*more):
    return load_config(overrides=["train.spacy_model='blank:en'", "train.cv_folds=3",
                                  "train.c_grid=[1.0]", "train.embeddings=''", *more])


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny model (blank:en, one C, 3 folds, every third training row of the seed set)
    trained with a registry that knows one outlet more than the shipped one; that registry
    is deleted afterwards, so only the model's copy is left."""
    root = tmp_path_factory.mktemp("integrity")
    rows = [line for line in SEED_SET.read_text(encoding="utf-8").splitlines()
            if json.loads(line)["split"] == "train"][::3]
    data = write(root / "train.jsonl", "\n".join(rows) + "\n")
    registry = write(root / "sources.toml", SOURCES.read_text(encoding="utf-8") + TEST_OUTLET)
    train(data, root / "model", fast_config(f"features.sources='{registry}'"))
    registry.unlink()
    return root / "model"


@pytest.fixture
def model_dir(trained, tmp_path):
    """A copy of the trained model folder that a test may damage."""
    return Path(shutil.copytree(trained, tmp_path / "model"))


def meta_of(folder: Path) -> dict:
    return json.loads((folder / "meta.json").read_text(encoding="utf-8"))


def write_meta(folder: Path, meta: dict) -> None:
    (folder / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")


def rehash(folder: Path, name: str) -> None:
    """Record a damaged file's own hash in meta.json, so that only its content is judged."""
    meta = meta_of(folder)
    meta["files"][name] = data_hash(folder / name)
    write_meta(folder, meta)


def refused(folder: Path, name: str) -> str:
    with pytest.raises(ModelError) as info:
        load_model(folder)
    message = str(info.value)
    assert str(folder / name) in message and "\n" not in message
    return message


def test_meta_records_the_hash_of_every_file_prediction_reads(model_dir):
    files = meta_of(model_dir)["files"]
    expected = {"model.skops", "baseline.skops", "sources.toml"} | {
        f"languages/{p.name}" for p in LANGUAGES.glob("*.toml")}
    assert set(files) == expected
    for name, digest in files.items():
        assert digest == data_hash(model_dir / name), name
    # the registry copy is the one trained with (it knows the test outlet), not configs/'s
    assert "Integrity Test Radio" in (model_dir / "sources.toml").read_text(encoding="utf-8")
    for path in LANGUAGES.glob("*.toml"):
        assert (model_dir / "languages" / path.name).read_bytes() == path.read_bytes()


def test_an_untouched_model_loads_and_reads_its_own_registry(model_dir):
    model, meta = load_model(model_dir)
    head = model.named_steps["head"]
    assert meta["labels"] == head.labels_ and load_baseline(model_dir) is not None
    predictor = MechanismPredictor.from_config(load_config(), str(model_dir))
    assert predictor.meta["inputs"]["sources"] == {
        "path": str(model_dir / "sources.toml"),
        "sha256": meta["files"]["sources.toml"], "from": "model"}
    assert predictor.meta["inputs"]["languages"] == {"path": str(model_dir / "languages"),
                                                     "from": "model"}
    pred = predictor.predict(pd.DataFrame({"text": ["The parliament met on Tuesday."],
                                           "source": ["Integrity Test Radio"]}))
    state = pred.evidence[0]["state_media"][0]
    assert state["kind"] == "metadata" and state["outlet"] == "Integrity Test Radio"


def test_a_registry_the_config_names_is_used_and_recorded(model_dir, tmp_path):
    other = write(tmp_path / "other.toml", SOURCES.read_text(encoding="utf-8"))
    config = load_config(overrides=[f"features.sources='{other}'"])
    predictor = MechanismPredictor.from_config(config, str(model_dir))
    assert predictor.meta["inputs"]["sources"] == {"path": str(other),
                                                   "sha256": data_hash(other),
                                                   "from": "config"}
    pred = predictor.predict(pd.DataFrame({"text": ["The parliament met on Tuesday."],
                                           "source": ["Integrity Test Radio"]}))
    assert "state_media" not in pred.evidence[0]  # the configured registry does not know it
    # naming the default registry explicitly is still the default: the model's copy
    default = load_config(overrides=["features.sources='configs/sources.toml'"])
    assert MechanismPredictor.from_config(default, str(model_dir)).meta["inputs"][
        "sources"]["from"] == "model"


def flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def raw_pickle(path: Path) -> None:
    path.write_bytes(pickle.dumps({"coef": [1.0, -1.0]}))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


@pytest.mark.parametrize("damage", [flip_byte, raw_pickle, truncate])
def test_a_damaged_model_file_is_refused(model_dir, damage):
    damage(model_dir / "model.skops")
    refused(model_dir, "model.skops")
    # with meta.json's hash made to match, the archive itself is refused
    rehash(model_dir, "model.skops")
    assert "not a readable skops archive" in refused(model_dir, "model.skops")


@pytest.mark.parametrize("damage", [flip_byte, truncate])
def test_a_damaged_baseline_is_refused(model_dir, damage):
    damage(model_dir / "baseline.skops")
    with pytest.raises(ModelError, match=re.escape(str(model_dir / "baseline.skops"))):
        load_baseline(model_dir)


def test_negated_coefficients_in_a_valid_archive_are_refused(model_dir):
    model, _ = load_model(model_dir)
    for estimator in model.named_steps["head"].estimators_:
        for calibrated in estimator.calibrated_classifiers_:
            calibrated.estimator.coef_ *= -1
            calibrated.estimator.intercept_ *= -1
    sio.dump(model, model_dir / "model.skops")
    assert "does not match its SHA-256" in refused(model_dir, "model.skops")


def test_edited_thresholds_are_refused(model_dir):
    meta = meta_of(model_dir)
    meta["thresholds"] = {label: 0.01 for label in meta["thresholds"]}
    write_meta(model_dir, meta)
    assert "was edited: thresholds" in refused(model_dir, "meta.json")


def test_edited_label_order_is_refused(model_dir):
    meta = meta_of(model_dir)
    meta["labels"] = meta["labels"][::-1]
    write_meta(model_dir, meta)
    assert "was edited: labels" in refused(model_dir, "meta.json")


def test_meta_without_hashes_is_refused(model_dir):
    meta = meta_of(model_dir)
    del meta["files"]
    write_meta(model_dir, meta)
    assert "records no SHA-256" in refused(model_dir, "meta.json")


def test_an_edited_registry_copy_is_refused(model_dir):
    path = model_dir / "sources.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('affiliation = "state"',
                                                             'affiliation = "independent"'),
                    encoding="utf-8")
    assert "does not match its SHA-256" in refused(model_dir, "sources.toml")


def test_an_edited_or_added_language_file_is_refused(model_dir):
    german = model_dir / "languages" / "de.toml"
    original = german.read_bytes()
    german.write_bytes(original + b"\n# edited\n")
    refused(model_dir, "languages/de.toml")
    german.write_bytes(original)
    shutil.copy(german, model_dir / "languages" / "xx.toml")
    assert "is not listed in meta.json" in refused(model_dir, "languages/xx.toml")


def test_saving_again_replaces_the_copies_of_an_earlier_model(model_dir):
    model, meta = load_model(model_dir)
    save_model(model, model_dir, meta, inputs={"sources.toml": SOURCES,
                                              "languages/de.toml": LANGUAGES / "de.toml"})
    assert sorted(p.name for p in (model_dir / "languages").iterdir()) == ["de.toml"]
    assert set(verify_folder(model_dir)["files"]) == {"model.skops", "sources.toml",
                                                     "languages/de.toml"}


def test_the_registry_promotes_copies_and_refuses_a_damaged_version(model_dir, tmp_path):
    champion = tmp_path / "models" / "mechanisms"
    registry = ModelRegistry(tmp_path / "models" / "registry.json", champion)
    version = registry.register(model_dir)
    registry.promote(version, "tester")
    load_model(champion)  # copied folders keep their hashes valid
    flip_byte(registry.versions_dir / version / "sources.toml")
    with pytest.raises(ModelError, match="sources.toml does not match"):
        registry.promote(version, "tester")
    load_model(champion)  # the champion in use is untouched


def test_cli_run_with_a_corrupted_model_exits_2_with_one_line(model_dir, tmp_path):
    truncate(model_dir / "model.skops")
    data = write(tmp_path / "a.csv", "text\nNATO is preparing to attack Russia.\n")
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["-q", "run", str(data), "--out", str(out),
                                      "--set", f"classify.model='{model_dir}'"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:")
    assert str(model_dir / "model.skops") in lines[0]
    assert "Traceback" not in result.output and not out.exists()
