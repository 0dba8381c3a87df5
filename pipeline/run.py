"""`run`: every stage in order over one run folder, with the manifest the run is judged by."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from .classify import classify
from .clean import clean
from .coordination import coordination
from .ingest import ingest
from .model.predict import MechanismPredictor
from .model.train import package_versions
from .narratives import narratives
from .report import report
from .store import Run, utc_now


def start_run(out: str, config: Mapping[str, Any], overwrite: bool = False) -> Run:
    """Create the run folder and record the resolved config and versions."""
    run = Run.create(out, overwrite=overwrite)
    run.update_manifest(config=config, versions=package_versions(), started_at=utc_now())
    return run


def run_pipeline(inputs: Iterable[str], out: str, config: Mapping[str, Any],
                 mapping: Mapping[str, str] | None = None, fmt: str | None = None,
                 overwrite: bool = False) -> Run:
    """ingest -> clean -> coordination -> classify -> narratives -> report. The model is
    loaded before any work starts, so a missing or untrusted model fails the run at once."""
    predictor = MechanismPredictor.from_config(config)
    run = start_run(out, config, overwrite)
    ingest(run, config, list(inputs), mapping, fmt)
    clean(run, config)
    if config["coordination"]["enabled"]:
        coordination(run, config)
    classify(run, config, predictor)
    if config["narratives"]["enabled"]:
        narratives(run, config)
    report(run, config)
    run.update_manifest(finished_at=utc_now())
    return run
