"""disinfo: batch NLP pipeline tagging texts with disinformation mechanisms.

The Python API is the same set of functions the `disinfo` CLI calls::

    from pipeline import load_config, Run, run_pipeline, ingest, clean, classify, report
    config = load_config(overrides=["clean.max_chars=50000"])
    run = run_pipeline(["corpus.csv"], "runs/demo", config, mapping={"text": "body"})

The names are imported on first use (pipeline/lazy.py).
"""
from .lazy import lazy_api

__version__ = "0.1.0"
_API = {"load_config": ".config", "ConfigError": ".config", "Run": ".store",
        "run_pipeline": ".run", "resume_pipeline": ".run", "start_run": ".run",
        "make_engine": ".engines", "ingest": ".ingest", "clean": ".clean",
        "coordination": ".coordination", "classify": ".classify", "report": ".report"}
__all__ = [*_API, "__version__"]
lazy_api(__name__, _API)
