"""The `disinfo` command line: a thin Typer layer over the pipeline's Python API."""
from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from . import progress
from .config import ConfigError, load_config

app = typer.Typer(add_completion=False, no_args_is_help=True, help=(
    "Tag news and social-media texts with disinformation mechanisms (state_media, "
    "coordinated_campaign, sowing_doubt, mutual_accusation) and narratives, and write "
    "narrative reports. `disinfo run` does everything (ingest, clean, coordination, classify, "
    "narratives, report); the stage commands re-run one stage on a run folder."))
console = Console(stderr=True, soft_wrap=True)

ConfigOpt = typer.Option(None, "--config", "-c", help="TOML file overriding "
                         "configs/default.toml (same keys; unknown keys are an error).")
SetOpt = typer.Option(None, "--set", "-s", help="Override one setting, e.g. "
                      "--set clean.max_chars=50000 (repeatable; value read as TOML).")
MapOpt = typer.Option(None, "--map", "-m", help="Use an input column for a field, e.g. "
                      "--map text=title --map source=outlets (fields: id, text, title, "
                      "source, author, published_at, url, lang; repeatable).")
FormatOpt = typer.Option(None, "--format", "-f", help="Force the input format instead of "
                         "detecting it from the extension: csv, tsv, jsonl, json, parquet, "
                         "folder, text, hf-disk, hf-files, hf-hub.")
OverwriteOpt = typer.Option(False, "--overwrite", help="Replace an existing run folder.")
RunDirArg = typer.Argument(..., help="A run folder made by `disinfo run` or `disinfo ingest`.")


def _fail(message: str) -> None:
    console.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(2)


def _config(config: Optional[Path], sets: Optional[List[str]]):
    try:
        return load_config(config, sets or [])
    except ConfigError as exc:
        _fail(str(exc))


def _guard(func, *args, **kwargs):
    """Run an API call; turn the errors a user can fix into a message and exit code 2."""
    from .features.nlp import PipelineNotFound
    from .features.registry import RegistryError
    from .ingest.columns import MappingError
    from .model.data import LabelledDataError
    from .labels.registry import RegistryError as ModelRegistryError
    from .model.io import ModelError
    from .store import RunBusyError, RunExistsError, RunIncompleteError
    try:
        return func(*args, **kwargs)
    except (ConfigError, RunExistsError, ModelError, MappingError, RegistryError,
            LabelledDataError, PipelineNotFound, ModelRegistryError, FileNotFoundError,
            ValueError, RunBusyError, RunIncompleteError) as exc:
        _fail(str(exc))


def _exit_on_failures(run_) -> None:
    """Exit 1 with one line per run-level failure (the manifest is already written)."""
    from .run import failures
    problems = failures(run_)
    for problem in problems:
        console.print(f"[bold red]error:[/] {escape(problem)}")
    if problems:
        raise typer.Exit(1)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version
        try:
            typer.echo(f"disinfo {version('disinfo-pipeline')}")
        except PackageNotFoundError:  # run from a source tree that is not installed
            from . import __version__
            typer.echo(f"disinfo {__version__}")
        raise typer.Exit()


@app.callback()
def main(quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
         version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                      help="Print the version and exit.")):
    progress.enable(not quiet)


@app.command()
def inspect(inputs: List[str] = typer.Argument(..., help="Input files or folders, or hf:NAME."),
            sample: int = typer.Option(5, "--sample", "-n", help="Records shown per input."),
            as_json: bool = typer.Option(False, "--json", help="Print JSON."),
            config: Optional[Path] = ConfigOpt, set_: Optional[List[str]] = SetOpt,
            map_: Optional[List[str]] = MapOpt, fmt: Optional[str] = FormatOpt):
    """Show how inputs would be read, before a run: format, encoding, columns, which column
    each field comes from (after --map), and the first records as ingest would make them.
    Writes nothing. Exits 1 when an input cannot be read or has no text column."""
    from .ingest.columns import parse_mapping
    from .ingest.inspect import inspect_inputs
    cfg = _config(config, set_)
    mapping = _guard(parse_mapping, map_ or [])
    found = inspect_inputs(inputs, cfg, mapping, fmt, sample)
    if as_json:
        typer.echo(json.dumps(found, indent=2, default=str, ensure_ascii=False))
    else:
        out = Console()
        for item in found:
            out.print(f"[bold]{escape(item['input'])}[/]: {item.get('format', '?')}"
                      + (f", encoding {item['encoding']} ({item['encoding_from']})"
                         if item.get("encoding") else ""))
            if item.get("columns") is not None:
                out.print(f"  columns: {escape(', '.join(map(str, item['columns'])))}")
            if item.get("mapping"):
                out.print("  fields: " + escape(", ".join(
                    f"{field} <- {column}" for field, column in item["mapping"].items()
                    if column)))
            for record in item.get("records", []):
                shown = {k: v for k, v in record.items()
                         if k in ("id", "text", "title", "source", "author", "published_at",
                                  "url", "lang") and v is not None}
                if shown.get("text") and len(shown["text"]) > 120:
                    shown["text"] = shown["text"][:117] + "..."
                out.print("  " + escape(json.dumps(shown, ensure_ascii=False, default=str)))
            for bad in item.get("quarantined", []):
                out.print(f"  [yellow]would be quarantined:[/] {bad['reason']}: "
                          f"{escape(str(bad['detail']))}")
            if item.get("unparseable_dates"):
                out.print(f"  [yellow]{item['unparseable_dates']} unparseable date(s)[/] in "
                          f"the sample")
            if item.get("error"):
                out.print(f"  [bold red]error:[/] {escape(item['error'])}")
    if any(item.get("error") for item in found):
        raise typer.Exit(1)


@app.command()
def run(inputs: Optional[List[str]] = typer.Argument(
            None, help="Input files or folders (CSV, TSV, JSONL/NDJSON, JSON, Parquet, folders "
            "of .txt/.md/.html, a datasets save_to_disk folder) or hf:NAME for a hub dataset."),
        out: Optional[Path] = typer.Option(None, "--out", "-o", help="Run folder to write."),
        resume: Optional[Path] = typer.Option(None, "--resume", help="Finish a run folder whose "
                                              "run crashed or was killed, with its own config "
                                              "and inputs (no INPUTS or --out)."),
        config: Optional[Path] = ConfigOpt, set_: Optional[List[str]] = SetOpt,
        map_: Optional[List[str]] = MapOpt, fmt: Optional[str] = FormatOpt,
        overwrite: bool = OverwriteOpt,
        engine: Optional[str] = typer.Option(
            None, "--engine", help="Where clean, classify and narratives do their per-part "
            "work: local (this process) or dask (a Dask cluster; same outputs). Default: "
            "engine.name in the config."),
        scheduler: Optional[str] = typer.Option(
            None, "--scheduler", help="With --engine dask: the address of a running Dask "
            "scheduler (tcp://host:8786); without it a LocalCluster is started.")):
    """Run every stage (ingest, clean, coordination, classify, narratives, report) into a run
    folder. Exits 1 when an input cannot be read or no record could be analysed."""
    from .ingest.columns import parse_mapping
    from .run import resume_pipeline, run_pipeline
    engine_sets = ([f"engine.name={json.dumps(engine)}"] if engine else []) + \
        ([f"engine.scheduler={json.dumps(scheduler)}"] if scheduler else [])
    if resume is not None:
        if inputs or out or config or set_ or map_ or fmt or overwrite:
            _fail("--resume takes only the run folder (and --engine, --scheduler): it reuses "
                  "that run's inputs and config.")
        result = _guard(resume_pipeline, resume, engine_sets)
    else:
        if not inputs or out is None:
            _fail("give INPUTS and --out RUN_DIR (or --resume RUN_DIR to finish a run).")
        cfg = _config(config, (set_ or []) + engine_sets)
        mapping = _guard(parse_mapping, map_ or [])
        result = _guard(run_pipeline, inputs, str(out), cfg, mapping, fmt, overwrite)
    _print_accounting(result)
    for note in result.manifest.get("stages", {}).get("coordination", {}).get("notes", []):
        console.print(f"[yellow]coordination:[/] {escape(note)}")
    _print_not_scored(result.manifest.get("stages", {}).get("classify", {}))
    console.print(f"[bold green]report:[/] {escape(str(result.path / 'report.html'))}")
    _exit_on_failures(result)


@app.command()
def ingest(inputs: List[str] = typer.Argument(..., help="Input files or folders, or hf:NAME."),
           out: Path = typer.Option(..., "--out", "-o", help="Run folder to create."),
           config: Optional[Path] = ConfigOpt, set_: Optional[List[str]] = SetOpt,
           map_: Optional[List[str]] = MapOpt, fmt: Optional[str] = FormatOpt,
           overwrite: bool = OverwriteOpt):
    """Read inputs into a new run folder (table `ingested`)."""
    from .ingest.columns import parse_mapping
    from .run import failures, run_stage, start_run
    cfg = _config(config, set_)
    mapping = _guard(parse_mapping, map_ or [])
    run_ = _guard(start_run, str(out), cfg, overwrite, inputs, mapping, fmt)
    try:
        result = run_stage(run_, "ingest", cfg, inputs, mapping, fmt)
    finally:
        run_.release()
    console.print(result["counts"])
    problems = failures(run_)  # the unreadable inputs: ingest alone has no accounting yet
    if not result["counts"]["ingested"]:
        problems.append(f"no record could be read; see {run_.path / 'quarantine'}")
    for problem in problems:
        console.print(f"[bold red]error:[/] {escape(problem)}")
    if problems:
        raise typer.Exit(1)


def _stage(name: str, run_dir: Path, config, set_):
    from .engines import make_engine
    from .run import ENGINE_STAGES, run_stage
    from .store import Run
    cfg = _config(config, set_)
    run_ = _guard(Run.open, run_dir)
    if name in ENGINE_STAGES:  # per-part work on the engine engine.name names
        with _guard(make_engine, cfg) as engine:
            result = _guard(run_stage, run_, name, cfg, engine=engine)
    else:
        result = _guard(run_stage, run_, name, cfg)
    console.print(result["counts"])
    if name == "classify":
        _print_not_scored(result)
    return run_


@app.command()
def clean(run_dir: Path = RunDirArg, config: Optional[Path] = ConfigOpt,
          set_: Optional[List[str]] = SetOpt):
    """Clean the ingested records (tables `cleaned` and `quarantine`)."""
    _print_accounting(_stage("clean", run_dir, config, set_))


@app.command()
def coordination(run_dir: Path = RunDirArg, config: Optional[Path] = ConfigOpt,
                 set_: Optional[List[str]] = SetOpt):
    """Find coordinated account clusters from who posted what and when (coordination.parquet,
    coordination_edges.parquet/.csv, coordination.graphml, table coordination_posts). Run it
    before `classify` so cluster posts get coordinated_campaign evidence."""
    run_ = _stage("coordination", run_dir, config, set_)
    for note in run_.manifest["stages"]["coordination"].get("notes", []):
        console.print(f"[yellow]note:[/] {note}")


@app.command()
def classify(run_dir: Path = RunDirArg, config: Optional[Path] = ConfigOpt,
             set_: Optional[List[str]] = SetOpt):
    """Score the cleaned records with the mechanism model (tables `predictions`, `evidence`).
    Use --set classify.model=PATH for another model folder."""
    _stage("classify", run_dir, config, set_)


@app.command()
def narratives(run_dir: Path = RunDirArg, config: Optional[Path] = ConfigOpt,
               set_: Optional[List[str]] = SetOpt):
    """Tag taxonomy narratives, discover narratives (stable ids with --set
    narratives.store=FILE), trends and spikes (narratives/, clusters.parquet, trends*.parquet,
    spikes.parquet)."""
    _stage("narratives", run_dir, config, set_)


@app.command()
def report(run_dir: Path = RunDirArg, config: Optional[Path] = ConfigOpt,
           set_: Optional[List[str]] = SetOpt,
           formats: Optional[str] = typer.Option(None, "--format", "-f", help=(
               "Comma-separated formats to write: html, md, json (default report.formats). "
               "Tables (CSV, Parquet), predictions and run.duckdb are always written; "
               "--format csv (or parquet) writes only those."))):
    """Regenerate the report from the run folder without re-running the analysis:
    report.html, report.md, summary.json, tables/*.csv|parquet, run.duckdb."""
    from .run import run_stage
    from .store import Run
    cfg = _config(config, set_)
    run_ = _guard(Run.open, run_dir)
    chosen = [f.strip() for f in formats.split(",") if f.strip()] if formats else None
    result = _guard(run_stage, run_, "report", cfg, chosen)
    for name, path in result["files"].items():
        console.print(f"[bold green]{name}:[/] {escape(str(path))}")


@app.command()
def train(data: List[Path] = typer.Argument(..., help="One or more labelled JSONL files "
                                            "(text, labels, split, optional source/direction/"
                                            "genre), e.g. corpora/labelled/euvsdisinfo.jsonl "
                                            "corpora/labelled/mechanisms.jsonl: trained on "
                                            "every file's train rows, evaluated on each file's "
                                            "test rows (the first file's is the headline); "
                                            "for --task techniques, one folder of "
                                            "article<ID>.txt files."),
          out: Path = typer.Option(..., "--out", "-o", help="Model folder to write."),
          seed: Optional[int] = typer.Option(None, help="Random seed (default train.seed)."),
          task: str = typer.Option("mechanisms", help="mechanisms (labels in `labels`), "
                                   "narratives (labels in `narratives`: the optional narrative "
                                   "classifier, used with --set narratives.classifier=DIR) or "
                                   "techniques (spans in the SemEval-2020 Task 11 format)."),
          span_labels: Optional[Path] = typer.Option(None, help="--task techniques: the "
                                                     "`article_id technique start end` file."),
          eval_articles: Optional[Path] = typer.Option(None, help="--task techniques: "
                                                       "articles to score after training."),
          eval_labels: Optional[Path] = typer.Option(None, help="--task techniques: their "
                                                     "span labels."),
          config: Optional[Path] = ConfigOpt, set_: Optional[List[str]] = SetOpt):
    """Train a model on the files' train split; evaluate on each file's test split."""
    cfg = _config(config, set_)
    if task == "techniques":
        if len(data) != 1:
            _fail("--task techniques takes one folder of articles.")
        data = data[0]
        from .spans.model import train_from_files
        from .spans.ptc import SpanDataError
        if span_labels is None:
            _fail("--task techniques needs --span-labels FILE (article_id technique start end).")
        try:
            meta = train_from_files(data, span_labels, out, cfg, eval_articles, eval_labels)
        except (SpanDataError, FileNotFoundError) as exc:
            _fail(str(exc))
        for problem in meta["training_data"]["problems"]:
            console.print(f"[yellow]not used:[/] {problem}")
        if "metrics" in meta:
            console.print(f"micro-F1 {meta['metrics']['micro_f1']:.4f} on "
                          f"{meta['metrics']['spans']} spans")
        console.print(f"[bold green]model:[/] {out} (C={meta['c']}, "
                      f"{meta['training_seconds']} s)")
        return
    from .model.train import train as train_model
    meta = _guard(train_model, data, out, cfg, seed, task)
    for metrics in meta.get("evaluations", {}).values():
        _print_metrics(metrics)
    console.print(f"[bold green]model:[/] {out} (version {meta['version']}, "
                  f"{meta['training_seconds']} s)")


@app.command()
def evaluate(model_dir: Path = typer.Argument(..., help="Model folder."),
             data: Path = typer.Argument(..., help="Labelled JSONL file."),
             split: str = typer.Option("test", help="Rows to score: a split name or 'all'."),
             out: Optional[Path] = typer.Option(None, "--out", "-o", help="Metrics file "
                                                "(default MODEL_DIR/metrics.json)."),
             config: Optional[Path] = ConfigOpt, set_: Optional[List[str]] = SetOpt):
    """Per-label precision, recall, F1 and support; macro and micro F1."""
    from .model.evaluate import evaluate as evaluate_model
    cfg = _config(config, set_)
    metrics = _guard(evaluate_model, model_dir, data, cfg, split, out)
    _print_metrics(metrics)


@app.command()
def explain(args: List[str] = typer.Argument(..., metavar="[MODEL_DIR] TEXT",
                                             help="Optional model folder, then the text."),
            source: Optional[str] = typer.Option(None, help="Source/outlet metadata."),
            lang: Optional[str] = typer.Option(None, help="Language of the text (ISO 639-1); "
                                               "identified from the text when omitted."),
            top: int = typer.Option(8, help="Strongest features shown per label."),
            as_json: bool = typer.Option(False, "--json", help="Print JSON."),
            config: Optional[Path] = ConfigOpt, set_: Optional[List[str]] = SetOpt):
    """Labels, scores, evidence and the strongest features for one text."""
    import pandas as pd
    from .model.predict import MechanismPredictor
    if len(args) > 2:
        _fail("explain takes [MODEL_DIR] TEXT; quote the text.")
    model_dir, text = (args[0], args[1]) if len(args) == 2 else (None, args[0])
    cfg = _config(config, set_)
    predictor = _guard(MechanismPredictor.from_config, cfg, model_dir)
    pred = predictor.predict(pd.DataFrame({"text": [text], "source": [source], "lang": [lang]}))
    result = {"model": predictor.meta.get("version"), "lang": pred.docs[0].lang, "labels": {}}
    if pred.not_scored[0]:
        result["not_scored"] = pred.not_scored[0]
        if as_json:
            typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
        else:
            Console().print(f"[yellow]not scored:[/] {pred.not_scored[0]}")
        return
    for j, label in enumerate(pred.labels):
        result["labels"][label] = {
            "decision": int(pred.decisions[0, j]), "score": round(float(pred.scores[0, j]), 4),
            "threshold": float(predictor.head.thresholds_[j]),
            "evidence": pred.evidence[0].get(label, []),
            "strongest_features": predictor.strongest_features(pred.docs[0], label, top)}
    if pred.directions[0]:
        result["direction"] = pred.directions[0]
    if as_json:
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    out = Console()
    for label, info in result["labels"].items():
        mark = "[bold green]YES[/]" if info["decision"] else "[dim]no[/]"
        out.print(f"{label}: {mark} score {info['score']:.3f} (threshold {info['threshold']})")
        for item in info["evidence"]:
            if item["kind"] in ("sentence", "passage"):
                out.print(f"   evidence {item['kind']} [{item['start']}:{item['end']}] "
                          f"{item['text']!r}")
            elif item["kind"] == "metadata":
                out.print(f"   metadata {item['field']}={item['value']!r} -> {item['outlet']} "
                          f"({item['affiliation']}, {item['country']})")
            elif item["kind"] == "direction":
                out.print(f"   direction {item['direction']}")
            elif item["kind"] == "accusation":
                out.print(f"   accusation {item['trigger']!r} [{item['start']}:{item['end']}]: "
                          f"accuser {item['accuser'] or 'not named'}, accused "
                          f"{item['accused'] or 'not named'} ({item['direction'] or 'no direction'})")
        feats = "; ".join(f"{f['description']} {f['contribution']:+.2f}"
                          for f in info["strongest_features"])
        out.print(f"   strongest features: {feats}")


labels_app = typer.Typer(no_args_is_help=True, help="The label store: import and export "
                         "annotations, agreement between annotators, review and adjudicate "
                         "disagreements, undo an import.")
models_app = typer.Typer(no_args_is_help=True, help="The model registry: list, show, promote, "
                         "roll back mechanism models.")
app.add_typer(labels_app, name="labels")
app.add_typer(models_app, name="models")
ByOpt = typer.Option(None, "--by", help="Who does this (default: the login name); recorded "
                     "in the registry.")


@labels_app.command("import")
def labels_import(file: Path = typer.Argument(..., help="An annotation export."),
                  fmt: str = typer.Option("auto", "--format", "-f", help="csv, jsonl, "
                                          "label-studio, doccano or prodigy; auto: the one "
                                          "that reads the file best."),
                  annotator: Optional[str] = typer.Option(None, help="Annotator for rows "
                                                          "that do not name one (default: "
                                                          "the login name)."),
                  adjudicate: bool = typer.Option(False, "--adjudicate", help="The file holds "
                                                  "adjudicated decisions (from `labels "
                                                  "review`): they settle the labels."),
                  config: Optional[Path] = ConfigOpt, set_: Optional[List[str]] = SetOpt):
    """Import labels into the label store (labels.store). Rows that cannot be imported are
    listed with the reason; re-labelled texts keep their history and each annotator's latest
    decision counts; the gold label is the adjudicated one, else the unanimous, else the
    majority decision (a tie is none). Importing the same file again changes nothing."""
    from .config import resolve_path
    import getpass

    from .labels.formats import LabelFormatError, detect_format, read_labels
    from .labels.store import LabelStore, content_hash
    from .model.taxonomy import mechanism_ids
    cfg = _config(config, set_)
    annotator = annotator or getpass.getuser()
    detected = fmt == "auto"
    try:
        if detected:
            fmt = detect_format(file, mechanism_ids())
        records, rows, problems = read_labels(file, fmt, mechanism_ids())
    except (LabelFormatError, FileNotFoundError) as exc:
        _fail(str(exc))
    for rec in records:
        rec.annotator = rec.annotator or annotator
    result = LabelStore(resolve_path(cfg["labels"]["store"])).add(
        records, str(file), fmt, rows, problems, content=content_hash(file, fmt, annotator),
        adjudication=adjudicate)
    if result.already_imported:
        console.print(f"{file} was already imported (import {result.import_id}, "
                      f"{result.labels} label(s)); nothing changed. To import it again, undo "
                      f"that import first: disinfo labels undo {result.import_id}")
        return
    console.print(f"imported {result.documents} document(s), {result.labels} label(s) from "
                  f"{rows} row(s) of {file}, read as {fmt}{' (detected)' if detected else ''} "
                  f"(import {result.import_id})")
    if problems:
        table = Table(title=f"{len(problems)} row(s) not imported")
        for col in ("row", "reason", "detail"):
            table.add_column(col)
        for p in problems:
            table.add_row(str(p["row"]), p["reason"], str(p["detail"]))
        console.print(table)


@labels_app.command("undo")
def labels_undo(import_id: str = typer.Argument(..., help="An import id (disinfo labels stats)."),
                config: Optional[Path] = ConfigOpt, set_: Optional[List[str]] = SetOpt):
    """Withdraw one import: its labels stop counting (they stay in the store's history) and
    the decisions they had overridden count again."""
    from .config import resolve_path
    from .labels.store import ImportNotFound, LabelStore
    cfg = _config(config, set_)
    try:
        n = LabelStore(resolve_path(cfg["labels"]["store"])).undo(import_id)
    except ImportNotFound as exc:
        _fail(exc.args[0])
    console.print(f"undid import {import_id}: {n} label decision(s) withdrawn")


@labels_app.command("agreement")
def labels_agreement(as_json: bool = typer.Option(False, "--json", help="Print JSON."),
                     config: Optional[Path] = ConfigOpt,
                     set_: Optional[List[str]] = SetOpt):
    """Agreement between annotators per label, over the texts two or more of them decided:
    observed agreement, Cohen's kappa (mean over annotator pairs) and Krippendorff's alpha."""
    import pandas as pd

    from .config import resolve_path
    from .labels.agreement import agreement
    from .labels.store import LabelStore
    from .model.taxonomy import mechanism_ids
    cfg = _config(config, set_)
    table = agreement(LabelStore(resolve_path(cfg["labels"]["store"])).decisions(),
                      mechanism_ids())
    if as_json:  # null, not NaN, where a figure is undefined
        typer.echo(json.dumps(table.astype(object).where(table.notna(), None).to_dict("records"),
                              indent=2))
        return
    out = Table(title="Agreement over texts decided by two or more annotators")
    for col in table.columns:
        out.add_column(col, justify="left" if col == "label" else "right")
    for row in table.itertuples(index=False):
        out.add_row(*["" if pd.isna(v) else str(v) for v in row])
    Console().print(out)


@labels_app.command("review")
def labels_review(out: Optional[Path] = typer.Option(None, "--out", help="Write the texts "
                                                     "annotators disagree on as tasks here."),
                  fmt: str = typer.Option("label-studio", "--format", "-f", help="Task format: "
                                          "label-studio, doccano, prodigy, jsonl or csv."),
                  config: Optional[Path] = ConfigOpt, set_: Optional[List[str]] = SetOpt):
    """Texts two or more annotators disagree on, per label: the votes and the gold label
    (majority; a tie has none), and labels whose agreement is low. With --out, writes those
    texts for adjudication, pre-filled with their gold labels (a tie: no); import the
    adjudicated file with `labels import --adjudicate`."""
    import pandas as pd

    from .config import resolve_path
    from .labels.agreement import LOW_ALPHA, agreement
    from .labels.formats import LabelFormatError, write_tasks
    from .labels.store import LabelStore, review_tasks
    from .model.taxonomy import mechanism_ids
    cfg = _config(config, set_)
    store = LabelStore(resolve_path(cfg["labels"]["store"]))
    votes = store.votes()
    open_votes = votes[~votes["adjudicated"]]
    ties = open_votes["gold"].isna()
    low = agreement(store.decisions(), mechanism_ids())
    low = low[low["krippendorff_alpha"].notna() & (low["krippendorff_alpha"] < LOW_ALPHA)]
    for row in low.itertuples():
        console.print(f"[yellow]low agreement:[/] {row.label}: Krippendorff's alpha "
                      f"{row.krippendorff_alpha} < {LOW_ALPHA} over {row.texts} text(s); "
                      f"revisit its definition in the labelling guide with the annotators")
    console.print(f"{open_votes['text_hash'].nunique()} text(s) with disagreements "
                  f"({int(ties.sum())} tie(s), no gold label; {int((~ties).sum())} settled by "
                  f"majority); {votes['adjudicated'].sum()} label(s) adjudicated")
    table = Table(title="Disagreements")
    for col in ("label", "yes", "no", "gold", "text"):
        table.add_column(col)
    for row in open_votes.itertuples():
        gold = "tie" if pd.isna(row.gold) else str(bool(row.gold)).lower()
        table.add_row(row.label, str(row.yes), str(row.no), gold, row.text[:80])
    if not open_votes.empty:
        console.print(table)
    if out is None or open_votes.empty:
        return
    labels = mechanism_ids()
    frame = review_tasks(store, labels, open_votes)
    try:
        write_tasks(frame, labels, fmt, out)
    except LabelFormatError as exc:
        _fail(str(exc))
    console.print(f"wrote {len(frame)} task(s) to {out}; after adjudicating, run: disinfo "
                  f"labels import {out} --format {fmt} --annotator NAME --adjudicate")


@labels_app.command("export")
def labels_export(out: Path = typer.Argument(..., help="File to write."),
                  fmt: str = typer.Option(..., "--format", "-f", help="label-studio, doccano, "
                                          "prodigy, jsonl or csv."),
                  annotator: Optional[str] = typer.Option(None, help="That annotator's latest "
                                                          "decisions instead of the gold labels."),
                  predictions: Optional[Path] = typer.Option(None, "--predictions",
                                                             help="A run folder whose "
                                                             "predictions join as "
                                                             "pre-annotations."),
                  config: Optional[Path] = ConfigOpt, set_: Optional[List[str]] = SetOpt):
    """Export the store's gold labels (or one annotator's) in a tool's format, which
    `labels import` reads back; with --predictions, a run's predictions as pre-annotations."""
    from .config import resolve_path
    from .labels.export import LIST_FORMATS, export_labels
    from .labels.formats import LabelFormatError
    from .labels.store import LabelStore
    from .model.taxonomy import mechanism_ids
    from .store import Run
    cfg = _config(config, set_)
    run_ = _guard(Run.open, predictions) if predictions else None
    try:
        counts = export_labels(LabelStore(resolve_path(cfg["labels"]["store"])),
                               mechanism_ids(), fmt, out, annotator=annotator,
                               predictions=run_)
    except LabelFormatError as exc:
        _fail(str(exc))
    note = (f"; {counts['partial']} text(s) with undecided labels left out ({fmt} holds a list "
            f"of positive labels, which decides every label: export them as jsonl or csv)"
            if counts["partial"] and fmt in LIST_FORMATS else "")
    pre = (f", {counts['pre_annotated']} with the run's predictions" if predictions else "")
    console.print(f"wrote {counts['written']} text(s) to {out}{pre}{note}")


@labels_app.command("freeze-eval")
def labels_freeze_eval(size: int = typer.Option(..., "--size", help="Texts to draw."),
                       stratify: str = typer.Option("label", "--stratify", help="label: "
                                                    "stratified by the texts' labels; none: "
                                                    "at random."),
                       config: Optional[Path] = ConfigOpt,
                       set_: Optional[List[str]] = SetOpt):
    """Draw an evaluation set from the store's fully labelled texts, stratified by their
    labels: never trained on, and from now on the set `disinfo retrain` decides on (the
    shipped evaluation sets are still reported). Running it again adds texts."""
    from .config import resolve_path
    from .labels.store import LabelStore
    from .model.taxonomy import mechanism_ids
    cfg = _config(config, set_)
    if stratify not in ("label", "none"):
        _fail(f"--stratify must be 'label' or 'none', not {stratify!r}.")
    store = LabelStore(resolve_path(cfg["labels"]["store"]))
    try:
        frozen = store.freeze_eval(size, mechanism_ids(), seed=cfg["train"]["seed"],
                                   stratify=stratify == "label")
    except ValueError as exc:
        _fail(str(exc))
    positives = ", ".join(f"{l} {n}" for l, n in frozen["positives"].items())
    console.print(f"froze {frozen['texts']} text(s) ({positives} positive) as "
                  f"{frozen['freeze_id']}; the evaluation set now holds "
                  f"{frozen['evaluation_set']} text(s) and decides `disinfo retrain`")


@labels_app.command("stats")
def labels_stats(config: Optional[Path] = ConfigOpt, set_: Optional[List[str]] = SetOpt):
    """Labelled texts and positives per label in the store, and the imports."""
    import pandas as pd

    from .config import resolve_path
    from .labels.store import LabelStore
    from .model.taxonomy import mechanism_ids
    cfg = _config(config, set_)
    store = LabelStore(resolve_path(cfg["labels"]["store"]))
    current = store.current(mechanism_ids())
    console.print(f"{len(current)} labelled text(s); fingerprint {store.fingerprint()}")
    for label in mechanism_ids():
        col = current[label]
        console.print(f"  {label}: {int((col == 1).sum())} positive, {int((col == 0).sum())} "
                      f"negative, {int(col.isna().sum())} undecided")
    for row in store.imports().itertuples():
        undone = f", undone {row.undone_at:%Y-%m-%d %H:%M}" if not pd.isna(row.undone_at) else ""
        console.print(f"  import {row.import_id}: {row.file} ({row.format}), {row.rows} rows, "
                      f"{row.labels} labels, {len(json.loads(row.problems))} problems{undone}")


@app.command()
def suggest(run_dir: Path = RunDirArg,
            n: int = typer.Option(50, "--n", help="Documents to suggest."),
            strategy: str = typer.Option("mixed", help="uncertainty, diversity or mixed."),
            fmt: str = typer.Option("label-studio", "--format", "-f", help="label-studio, "
                                    "doccano, prodigy, csv or jsonl."),
            out: Path = typer.Option(..., "--out", "-o", help="File to write the tasks to."),
            config: Optional[Path] = ConfigOpt, set_: Optional[List[str]] = SetOpt):
    """Pick the documents of a run whose labels would teach the model most, and write them
    as tasks for an annotation tool, pre-filled with the model's predictions."""
    from .config import resolve_path
    from .labels.formats import LabelFormatError, write_tasks
    from .labels.store import LabelStore
    from .labels.suggest import suggest as suggest_docs
    from .store import Run
    cfg = _config(config, set_)
    run_ = _guard(Run.open, run_dir)
    _guard(run_.require_complete)
    model = run_.manifest.get("model", {})
    if not model.get("labels"):
        _fail(f"{run_dir} has no classified documents; run `disinfo classify {run_dir}` first.")
    exclude = LabelStore(resolve_path(cfg["labels"]["store"])).hashes()
    picked = _guard(suggest_docs, run_, model["labels"], model["thresholds"], n, strategy,
                    exclude, cfg["train"]["seed"], cfg["labels"]["pool_factor"],
                    cfg["labels"]["max_similarity"])
    try:
        write_tasks(picked, model["labels"], fmt, out, model.get("version"))
    except LabelFormatError as exc:
        _fail(str(exc))
    console.print(f"{len(picked)} document(s) ({strategy}) written to {out} as {fmt} tasks; "
                  f"{len(exclude)} already-labelled text(s) were excluded.")


@app.command()
def retrain(no_seed: bool = typer.Option(False, "--no-seed", help="Train on the label store "
                                         "only, not on the seed set too."),
            force: bool = typer.Option(False, "--force", help="Promote even if the challenger "
                                       "is not better (recorded as forced)."),
            by: Optional[str] = ByOpt,
            config: Optional[Path] = ConfigOpt, set_: Optional[List[str]] = SetOpt):
    """Train a challenger on the label store (and the seed set), compare it with the champion
    on the fixed evaluation set, and promote it only if it is better."""
    from .labels.retrain import comparison_table
    from .labels.retrain import retrain as retrain_models
    cfg = _config(config, set_)
    result = _guard(retrain_models, cfg, by, False if no_seed else None, force)
    evaluations = [(f"{result['evaluation']['data']} (deciding)", result)]
    evaluations += [(f"{other['data']} (reported)", other)
                    for other in result["reported_evaluations"]]
    for name, comparison in evaluations:
        table = Table(title=f"champion {result['champion']} vs challenger "
                            f"{result['challenger']} on {name}, "
                            f"{comparison['documents']} documents")
        for col in ("label", "champion F1", "challenger F1", "delta", "95% CI"):
            table.add_column(col, justify="left" if col == "label" else "right")
        for row in comparison_table(comparison):
            table.add_row(*row)
        Console().print(table)
    colour = "green" if result["decision"].startswith("promoted") else "yellow"
    console.print(f"[bold {colour}]{result['decision']}:[/] {result['reason']}")


@models_app.command("list")
def models_list(config: Optional[Path] = ConfigOpt, set_: Optional[List[str]] = SetOpt):
    """Every registered version with its status and evaluation scores."""
    registry = _registry(_config(config, set_))
    table = Table()
    for col in ("version", "status", "created", "macro F1 (state, sowing, mutual)",
                "macro F1 (all)", "promoted by", "forced"):
        table.add_column(col)
    for v in registry.list():
        metrics = v.get("metrics") or {}
        table.add_row(v["version"], v["status"], str(v.get("created_at", ""))[:19],
                      str(metrics.get("headline_macro_f1")), str(metrics.get("macro_f1")),
                      v.get("promoted_by", ""), "yes" if v.get("forced") else "")
    Console().print(table)


@models_app.command("show")
def models_show(version: str, config: Optional[Path] = ConfigOpt,
                set_: Optional[List[str]] = SetOpt):
    """A version's registry entry, events and comparison with the champion of its day."""
    registry = _registry(_config(config, set_))
    typer.echo(json.dumps(_guard(registry.show, version), indent=2, default=str))


@models_app.command("promote")
def models_promote(version: str, by: Optional[str] = ByOpt,
                   config: Optional[Path] = ConfigOpt, set_: Optional[List[str]] = SetOpt):
    """Make a registered version the champion (the model `classify.model` loads); recorded as
    forced, since it bypasses the comparison."""
    import getpass
    registry = _registry(_config(config, set_))
    _guard(registry.promote, version, by or getpass.getuser(), True, "promoted by hand")
    console.print(f"[bold green]champion:[/] {version}")


@models_app.command("rollback")
def models_rollback(by: Optional[str] = ByOpt, config: Optional[Path] = ConfigOpt,
                    set_: Optional[List[str]] = SetOpt):
    """Make the champion that the current one replaced the champion again."""
    import getpass
    registry = _registry(_config(config, set_))
    version = _guard(registry.rollback, by or getpass.getuser())
    console.print(f"[bold green]champion:[/] {version}")


def _registry(cfg):
    from .config import resolve_path
    from .labels.registry import ModelRegistry
    return ModelRegistry(resolve_path(cfg["labels"]["registry"]),
                         resolve_path(cfg["classify"]["model"]))


def _print_metrics(metrics: dict) -> None:
    """Per-label figures of the model beside its baselines, the headline macro-F1 by genre,
    state_media from the text alone and the accusation direction."""
    baselines = metrics.get("baselines", {})
    title = f"{Path(str(metrics.get('data', ''))).name} {metrics.get('split', '')} " \
            f"({metrics['n_documents']} documents)"
    table = Table(title=title)
    for col in ("label", "precision", "recall", "f1", "support", *[f"{b} f1" for b in baselines]):
        table.add_column(col, justify="left" if col == "label" else "right")
    for label, m in metrics["per_label"].items():
        table.add_row(label, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}",
                      str(m["support"]),
                      *[f"{b['per_label'][label]['f1']:.3f}" for b in baselines.values()])
    for key, name in (("headline_macro_f1", "macro F1 (" + ", ".join(
            l.split("_")[0] for l in metrics.get("headline_labels", [])) + ")"),
                      ("macro_f1", "macro F1 (all)"), ("micro_f1", "micro F1")):
        if metrics.get(key) is not None:
            table.add_row(name, "", "", f"{metrics[key]:.3f}", "",
                          *[f"{b[key]:.3f}" if b.get(key) is not None else ""
                            for b in baselines.values()])
    out = Console()
    out.print(table)
    for genre, m in metrics.get("by_genre", {}).items():
        per = ", ".join(f"{l} {v['f1']:.3f} ({v['support']} pos, {v['predicted']} predicted)"
                        for l, v in m["per_label"].items() if v["support"] or v["predicted"])
        out.print(f"genre {genre} ({m['n_documents']}): macro F1 {m['headline_macro_f1']:.3f}; "
                  f"{per}")
    if "state_media_text_only" in metrics:
        t = metrics["state_media_text_only"]
        out.print(f"state_media from the text alone (source withheld): F1 {t['f1']:.3f} "
                  f"(precision {t['precision']:.3f}, recall {t['recall']:.3f})")
    if metrics.get("direction", {}).get("accuracy") is not None:
        d = metrics["direction"]
        out.print(f"accusation direction accuracy {d['accuracy']:.3f} over all {d['n']} gold "
                  f"mutual_accusation texts")


def _print_not_scored(classify_result) -> None:
    """Say how many documents of which languages the model did not score."""
    languages = classify_result.get("counts", {}).get("languages", {})
    skipped = {lang: c["not_scored"] for lang, c in languages.items() if c["not_scored"]}
    if skipped:
        which = ", ".join(f"{lang} {n}" for lang, n in sorted(skipped.items(),
                                                                key=lambda kv: -kv[1]))
        console.print(f"[yellow]not scored:[/] {sum(skipped.values())} document(s) in "
                      f"languages the model does not score ({which}); scored: "
                      f"{', '.join(classify_result.get('scored_languages', []))} "
                      f"(classify.languages)")


def _print_accounting(run_) -> None:
    acc = run_.manifest.get("accounting", {})
    if acc:
        status = "[green]balanced[/]" if acc.get("balanced") else "[bold red]NOT balanced[/]"
        console.print(f"input records {acc['input_records']} = analysed {acc['analysed']} + "
                      f"quarantined {acc['quarantined']} ({status}; "
                      f"{acc['duplicates_flagged']} duplicates flagged)")


if __name__ == "__main__":
    app()
