"""disinfo: batch NLP pipeline tagging texts with disinformation mechanisms.

The Python API is the same set of functions the `disinfo` CLI calls::

    from pipeline import load_config, Run, run_pipeline, ingest, clean, classify, report
    config = load_config(overrides=["clean.max_chars=50000"])
    run = run_pipeline(["corpus.csv"], "runs/demo", config, mapping={"text": "body"})
"""
from .classify import classify
from .clean import clean
from .coordination import coordination
from .config import ConfigError, load_config
from .ingest import ingest
from .report import report
from .run import run_pipeline, start_run
from .store import Run

__version__ = "0.1.0"
__all__ = ["load_config", "ConfigError", "Run", "run_pipeline", "start_run", "ingest", "clean",
           "coordination", "classify", "report", "__version__"]
