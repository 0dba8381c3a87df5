"""`run`: every stage in order over one run folder, with the manifest the run is judged by.

Every stage runs under the run folder's lock and is recorded `started`, then `finished`
(`run_stage`). A run that crashed or was killed is finished by `resume_pipeline`, which reruns
the first stage that did not finish and every stage after it, with the run's own recorded
config and inputs; the outputs are the uninterrupted run's (the manifest's timestamps aside).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping

from .classify import classify
from .clean import clean
from .config import ConfigError, load_config, parse_override
from .coordination import coordination
from .engines import make_engine
from .ingest import ingest
from .model.predict import MechanismPredictor
from .model.train import package_versions
from .narratives import narratives
from .report import report
from .store import Run, RunIncompleteError, utc_now

STAGES: dict[str, Callable[..., dict[str, Any]]] = {
    "ingest": ingest, "clean": clean, "coordination": coordination, "classify": classify,
    "narratives": narratives, "report": report}
# the stages whose per-part work runs on an engine (their `engine` argument)
ENGINE_STAGES = ("clean", "classify", "narratives")


def start_run(out: str, config: Mapping[str, Any], overwrite: bool = False,
              inputs: Iterable[str] = (), mapping: Mapping[str, str] | None = None,
              fmt: str | None = None) -> Run:
    """Create the run folder (holding its lock) and record the resolved config, the versions
    and the arguments a resume needs."""
    run = Run.create(out, overwrite=overwrite)
    run.update_manifest(config=config, versions=package_versions(), started_at=utc_now(),
                        args={"inputs": list(inputs), "mapping": dict(mapping or {}),
                              "format": fmt, "cwd": os.getcwd()})
    return run


def run_stage(run: Run, name: str, config: Mapping[str, Any], *args: Any,
              engine=None) -> dict[str, Any]:
    """Run one stage under the folder's lock: refused while an earlier stage is unfinished,
    recorded `started` before any work and `finished` by the stage itself. `engine` goes to
    the stages of ENGINE_STAGES (by default they run on the local engine)."""
    with run.locked(name):
        earlier = list(STAGES)[:list(STAGES).index(name)]
        unfinished = [s for s in run.unfinished() if s in earlier]
        if unfinished:
            raise RunIncompleteError(
                f"{run.path} is incomplete: stage {', '.join(unfinished)} started and did not "
                f"finish; finish the run with `disinfo run --resume {run.path}` before "
                f"running {name}.")
        run.start_stage(name)
        if name in ENGINE_STAGES:
            return STAGES[name](run, config, *args, engine=engine)
        return STAGES[name](run, config, *args)


def _stages(config: Mapping[str, Any]) -> list[str]:
    return [name for name in STAGES
            if config.get(name, {}).get("enabled", True) or name not in ("coordination",
                                                                          "narratives")]


@contextmanager
def _cwd(path: str) -> Iterator[None]:
    """Read relative input paths from where the run was started."""
    here = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(here)


def _execute(run: Run, config: Mapping[str, Any], names: list[str],
             predictor: MechanismPredictor, engine) -> None:
    """Run the stages `names`; the per-part work of clean, classify and narratives on
    `engine` (pipeline/engines)."""
    args = run.manifest.get("args", {})
    for name in names:
        if name == "ingest":
            with _cwd(args.get("cwd") or os.getcwd()):
                run_stage(run, name, config, args.get("inputs", []), args.get("mapping"),
                          args.get("format"))
        elif name == "classify":
            run_stage(run, name, config, predictor, engine=engine)
        else:
            run_stage(run, name, config, engine=engine)
    run.update_manifest(finished_at=utc_now())


def run_pipeline(inputs: Iterable[str], out: str, config: Mapping[str, Any],
                 mapping: Mapping[str, str] | None = None, fmt: str | None = None,
                 overwrite: bool = False) -> Run:
    """ingest -> clean -> coordination -> classify -> narratives -> report. The model is
    loaded and the engine started (`engine.name`) before any work starts, so a missing or
    untrusted model or an unreachable Dask scheduler fails the run at once."""
    predictor = MechanismPredictor.from_config(config)
    with make_engine(config) as engine:
        run = start_run(out, config, overwrite, [str(i) for i in inputs], mapping, fmt)
        try:
            _execute(run, config, _stages(config), predictor, engine)
        finally:
            run.release()
    return run


def resume_pipeline(out: str | Path, engine: Iterable[str] = ()) -> Run:
    """Finish a run that crashed or was killed: rerun its first unfinished stage and every
    stage after it, with the config and inputs the run recorded. A finished run is left as
    it is. `engine` holds `engine.*` overrides (`engine.name="dask"`): where the work runs
    does not change the outputs, so a run started on one engine may be finished on
    another."""
    run = Run.open(out)
    with run.locked("resume"):
        manifest = run.manifest
        if "args" not in manifest or "config" not in manifest:
            raise RunIncompleteError(f"{run.path} was not started by `disinfo run`; it cannot "
                                     f"be resumed. Start it again with `disinfo run`.")
        config = with_engine(manifest["config"], engine)
        names = _stages(config)
        stages = manifest.get("stages", {})
        done = 0
        while done < len(names) and stages.get(names[done], {}).get("status") == "finished":
            done += 1
        if done < len(names) or "finished_at" not in manifest:
            predictor = MechanismPredictor.from_config(config)
            with make_engine(config) as engine:
                _execute(run, config, names[done:], predictor, engine)
    return run


def with_engine(config: Mapping[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """`config` with `engine.*` overrides (`--set` syntax) applied and checked."""
    engine = dict(config.get("engine") or load_config()["engine"])
    for item in overrides:
        key = parse_override(item)[0]
        if not key.startswith("engine."):
            raise ConfigError(f"only engine settings can change when resuming; got {key!r}.")
        name = key.split(".", 1)[1]
        engine[name] = load_config(overrides=[item])["engine"][name]  # checked there
    return {**config, "engine": engine}


def failures(run: Run) -> list[str]:
    """Why a run failed as a whole: inputs named to it that could not be read, or no record
    analysed. Empty for a run with results."""
    manifest = run.manifest
    out = [f"input {info['input']} could not be read ({info['error']})"
           for info in manifest.get("inputs", []) if info.get("error")]
    accounting = manifest.get("accounting", {})
    if accounting and not accounting.get("analysed"):
        reasons = manifest.get("stages", {}).get("clean", {}).get("quarantine_reasons", {})
        why = f" (quarantine reasons: {', '.join(f'{k} {v}' for k, v in reasons.items())})" \
            if reasons else ""
        out.append(f"no record could be analysed: all {accounting.get('input_records', 0)} "
                   f"input records were quarantined{why}; see {run.path / 'quarantine'}")
    return out
