"""Configuration: `configs/default.toml` is both the defaults and the schema.

A user file and `--set` overrides may change values but never add keys; values must keep the
type of the default (an int is accepted where a float is expected). Errors are raised as
:class:`ConfigError` with the dotted key and what is allowed, before any stage runs.
"""
from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any, Iterable, Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "configs" / "default.toml"

# The longest document the pipeline analyses: spaCy's default `nlp.max_length`, which the
# project's pipelines keep (a text longer than `features.batch_chars` is parsed in pieces).
PARSER_MAX_CHARS = 1_000_000

# Ranges and choices that the type of a default cannot express.
_RANGES: dict[str, tuple[float, float]] = {
    "ingest.chunk_size": (1, 10_000_000),
    "clean.max_chars": (1, PARSER_MAX_CHARS),
    "clean.min_chars": (0, 1_000_000),
    "clean.dedupe.threshold": (0.0, 1.0),
    "clean.dedupe.num_perm": (16, 1024),
    "clean.dedupe.shingle_words": (1, 20),
    "features.batch_size": (1, 100_000),
    "features.batch_chars": (1_000, 10_000_000),
    "features.n_process": (1, 64),
    "classify.evidence_sentences": (1, 20),
    "classify.passage_sentences": (0, 10_000),
    "classify.state_source_confidence": (0.0, 1.0),
    "train.cv_folds": (2, 20),
    "train.embedding_weight": (0.0, 100.0),
    "tables.duckdb_memory_mb": (64, 10_000_000),
    "report.top_sources": (1, 10_000),
    "report.examples_per_label": (0, 1000),
    "labels.min_support": (1, 1_000_000),
    "labels.bootstrap": (10, 1_000_000),
    "labels.pool_factor": (1, 1000),
    "labels.max_similarity": (0.0, 1.0),
    "spans.batch_size": (1, 10_000),
    "spans.n_process": (1, 64),
    "spans.context_words": (0, 100),
    "spans.cv_folds": (2, 20),
    "report.context_chars": (0, 100_000),
    "report.review_margin": (0.0, 1.0),
    "report.review_size": (0, 100_000),
    "narratives.k_candidates": (2, 200),
    "narratives.top_terms": (3, 50),
    "narratives.stored_terms": (5, 1000),
    "narratives.min_df": (1, 1_000_000),
    "narratives.max_df": (0.01, 1.0),
    "narratives.min_share": (0.0, 1.0),
    "narratives.match_threshold": (0.0, 1.0),
    "narratives.taxonomy_overlap": (0.0, 1.0),
    "narratives.spike_alpha": (0.0, 1.0),
    "narratives.spike_window": (2, 520),
    "coordination.window_seconds": (1, 86_400 * 30),
    "coordination.burst_seconds": (1, 86_400 * 30),
    "coordination.similarity": (0.0, 1.0),
    "coordination.min_tokens": (1, 1000),
    "coordination.min_hashtags": (1, 100),
    "coordination.popular_accounts": (1, 100_000_000),
    "coordination.min_event_weight": (0.0, 1.0),
    "coordination.max_event_accounts": (2, 1_000_000),
    "coordination.min_events": (1, 1000),
    "coordination.min_weight": (0.0, 1000.0),
    "coordination.min_overlap": (0.0, 1.0),
    "engine.workers": (0, 1024),
    "engine.in_flight": (1, 1000),
}
_CHOICES: dict[str, tuple[str, ...]] = {
    "engine.name": ("local", "dask"),
}
# Why a range ends where it does and what to do, where the range alone does not say.
_RANGE_HINTS = {
    "clean.max_chars": (f"{PARSER_MAX_CHARS} characters is spaCy's nlp.max_length, the longest "
                        f"document the pipeline analyses: lower clean.max_chars, and longer "
                        f"records are quarantined as too_long"),
}


class ConfigError(ValueError):
    """A configuration key or value is not allowed; the message says which and what is."""


Config = dict  # a resolved configuration is a plain nested dict


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, dotted + "."))
        else:
            out[dotted] = value
    return out


def _type_name(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "a list"}.get(type(value), type(value).__name__)


def _check_value(key: str, value: Any, default: Any) -> Any:
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, list):
        ok = isinstance(value, list) and all(
            isinstance(v, type(default[0])) for v in value) if default else isinstance(value, list)
        if ok and not default:
            ok = all(isinstance(v, str) for v in value)
    else:
        ok = isinstance(value, type(default))
    if not ok:
        raise ConfigError(
            f"config key '{key}' must be {_type_name(default)} (default: {default!r}); "
            f"got {value!r}.")
    if key in _CHOICES and value not in _CHOICES[key]:
        raise ConfigError(f"config key '{key}' must be one of {', '.join(_CHOICES[key])}; "
                          f"got {value!r}.")
    if key in _RANGES:
        lo, hi = _RANGES[key]
        values = value if isinstance(value, list) else [value]
        for v in values:
            if not lo <= v <= hi:
                hint = f" {_RANGE_HINTS[key]}." if key in _RANGE_HINTS else ""
                raise ConfigError(
                    f"config key '{key}' must be between {lo} and {hi}; got {v!r}.{hint}")
    return value


def _set_dotted(tree: dict, key: str, value: Any) -> None:
    node = tree
    parts = key.split(".")
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value


def _merge(base: dict, override: Mapping[str, Any], defaults_flat: dict[str, Any],
           origin: str) -> None:
    sections = {k.rsplit(".", 1)[0] for k in defaults_flat if "." in k}
    for key, value in _flatten(override).items():
        if key not in defaults_flat:
            section = key.rsplit(".", 1)[0] if "." in key else ""
            if section in sections:
                allowed = sorted(k for k in defaults_flat if k.rsplit(".", 1)[0] == section)
                hint = f"allowed keys in [{section}]: {', '.join(allowed)}"
            else:
                hint = f"allowed sections: {', '.join(sorted(sections))}"
            raise ConfigError(f"unknown config key '{key}' (from {origin}); {hint}.")
        _set_dotted(base, key, _check_value(key, value, defaults_flat[key]))


def parse_override(item: str) -> tuple[str, Any]:
    """Parse one `--set key=value`; the value is read as TOML, else taken as a string."""
    if "=" not in item:
        raise ConfigError(f"--set expects key=value (e.g. clean.max_chars=50000); got {item!r}.")
    key, raw = (s.strip() for s in item.split("=", 1))
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key, value


def load_config(path: str | Path | None = None, overrides: Iterable[str] = ()) -> Config:
    """Resolve the configuration: defaults, then the user file, then `--set` overrides."""
    with open(DEFAULT_CONFIG, "rb") as fh:
        defaults = tomllib.load(fh)
    flat = _flatten(defaults)
    config = copy.deepcopy(defaults)
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist.")
        try:
            with open(path, "rb") as fh:
                user = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
        _merge(config, user, flat, str(path))
    for item in overrides:
        key, value = parse_override(item)
        tree: dict[str, Any] = {}
        node = tree
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
        _merge(config, tree, flat, f"--set {item}")
    return config


def resolve_path(value: str | Path) -> Path:
    """A path from the config: absolute, else relative to the cwd, else to the project root."""
    path = Path(value).expanduser()
    if path.is_absolute() or path.exists():
        return path
    candidate = PROJECT_ROOT / path
    return candidate if candidate.exists() else path
