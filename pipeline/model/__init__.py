"""The mechanism model: build, train, evaluate, save/load, predict with evidence."""
from .evaluate import evaluate
from .io import load_model, save_model
from .predict import MechanismPredictor
from .train import train

__all__ = ["train", "evaluate", "load_model", "save_model", "MechanismPredictor"]
