"""The mechanism model: build, train, evaluate, save/load, predict with evidence.

The names are imported on first use (pipeline/lazy.py), so that reading a model folder's
meta.json does not load spaCy."""
from ..lazy import lazy_api

_API = {"train": ".train", "evaluate": ".evaluate", "load_model": ".io", "save_model": ".io",
        "MechanismPredictor": ".predict"}
__all__ = list(_API)
lazy_api(__name__, _API)
