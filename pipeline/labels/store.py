"""The label store: every label ever imported, in one DuckDB file.

Tables:
- `documents(text_hash, text, source)`: each labelled text once, keyed by the SHA-256 of its
  whitespace-normalised text;
- `labels(text_hash, label, value, direction, annotator, labelled_at, import_id, seq)`: one
  row per label decision, never updated or deleted (history);
- `imports(import_id, file, format, imported_at, rows, labels, problems, content_hash,
  undone_at, adjudication)`: one row per import, with every problem row and why it was not
  imported, the SHA-256 of what was imported (file, format, default annotator: the same file
  twice is one import), when it was undone (`disinfo labels undo`) and whether it holds
  adjudicated decisions (`disinfo labels import --adjudicate`);
- `eval_set(text_hash, freeze_id, frozen_at)`: the user's own evaluation set
  (`disinfo labels freeze-eval`): texts never trained on, on which champion and challenger
  are compared.

Views: `active_labels`, the decisions of imports not undone (an undone import stays in the
history); `annotator_decisions`, each annotator's latest decision per (text, label) (by
annotation time, then import order; decisions without an annotator count as one annotator);
`label_votes`, their yes/no counts; `current_labels` (= `gold_labels`), the gold label per
(text, label), explicitly resolved: the latest adjudicated decision, else the annotators'
unanimous decision, else their majority; a tie is no gold label (listed by
`disinfo labels review`, left out of training) — it is never guessed.
"""
from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

import duckdb
import pandas as pd

_SPACE = re.compile(r"\s+")

SCHEMA = """
create table if not exists documents (text_hash varchar primary key, text varchar,
                                      source varchar);
create table if not exists labels (text_hash varchar, label varchar, value boolean,
    direction varchar, annotator varchar, labelled_at timestamptz, import_id varchar,
    seq bigint);
create table if not exists imports (import_id varchar, file varchar, format varchar,
    imported_at timestamptz, rows integer, labels integer, problems json);
alter table imports add column if not exists content_hash varchar;
alter table imports add column if not exists undone_at timestamptz;
alter table imports add column if not exists adjudication boolean default false;
create table if not exists eval_set (text_hash varchar primary key, freeze_id varchar,
                                     frozen_at timestamptz);
create or replace view active_labels as
    select * from labels where import_id not in
        (select import_id from imports where undone_at is not null);
create or replace view annotator_decisions as
    select * exclude (rn) from (
        select *, row_number() over (partition by text_hash, label, coalesce(annotator, '')
                                     order by labelled_at desc, seq desc) as rn
        from active_labels where import_id not in
            (select import_id from imports where adjudication)) where rn = 1;
create or replace view adjudicated as
    select * exclude (rn) from (
        select *, row_number() over (partition by text_hash, label
                                     order by labelled_at desc, seq desc) as rn
        from active_labels where import_id in
            (select import_id from imports where adjudication)) where rn = 1;
create or replace view label_votes as
    select text_hash, label, count(*) filter (where value)::int as yes,
           count(*) filter (where not value)::int as no,
           exists (select 1 from adjudicated a where a.text_hash = d.text_hash
                   and a.label = d.label) as adjudicated
    from annotator_decisions d group by text_hash, label;
create or replace view gold_labels as
    select text_hash, label, value, direction, annotator, labelled_at, import_id,
           'adjudicated' as resolution from adjudicated
    union all
    select d.text_hash, d.label, d.value, d.direction, d.annotator, d.labelled_at,
           d.import_id, case when v.yes = 0 or v.no = 0 then 'unanimous' else 'majority' end
    from (select *, row_number() over (partition by text_hash, label, value
                                       order by labelled_at desc, seq desc) as rn
          from annotator_decisions) d
    join label_votes v using (text_hash, label)
    where d.rn = 1 and not v.adjudicated and v.yes <> v.no and d.value = (v.yes > v.no);
create or replace view current_labels as
    select text_hash, label, value, direction, annotator, labelled_at, import_id, resolution
    from gold_labels;
"""


class ImportNotFound(KeyError):
    """No import with that id, or it was already undone."""


def content_hash(path: str | Path, fmt: str, annotator: str | None) -> str:
    """What an import reads: the file's bytes, its format and the default annotator."""
    digest = hashlib.sha256(Path(path).read_bytes())
    digest.update(f"\0{fmt}\0{annotator or ''}".encode())
    return "sha256:" + digest.hexdigest()


def text_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(_SPACE.sub(" ", text).strip().encode("utf-8")).hexdigest()


@dataclass
class LabelRecord:
    """One annotated document from an export: its text and the labels decided for it (True,
    False; labels absent from `labels` were not decided)."""
    text: str
    labels: dict[str, bool]
    source: str | None = None
    direction: str | None = None
    annotator: str | None = None
    labelled_at: datetime | None = None
    row: int | None = None


@dataclass
class ImportResult:
    import_id: str
    file: str
    format: str
    rows: int
    documents: int
    labels: int
    problems: list[dict[str, Any]] = field(default_factory=list)
    already_imported: bool = False


class LabelStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.execute(SCHEMA)

    def _connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.path))

    def add(self, records: Iterable[LabelRecord], file: str, fmt: str, rows: int,
            problems: list[dict[str, Any]], content: str | None = None,
            adjudication: bool = False) -> ImportResult:
        """Store one import's records (all or nothing) and its problem rows. With `content`
        (see `content_hash`), an import of the same content that was not undone is returned
        as it is (`already_imported`) and nothing is stored. `adjudication` marks the
        decisions as adjudicated: they settle the texts' labels whatever the votes."""
        records = list(records)
        if content is not None:
            with self._connect() as con:
                found = con.execute(
                    """select import_id, file, format, rows, labels, problems from imports
                       where content_hash = ? and undone_at is null""", [content]).fetchone()
            if found:
                import_id, old_file, old_fmt, old_rows, n_labels, old_problems = found
                return ImportResult(import_id, old_file, old_fmt, old_rows,
                                    len({text_hash(r.text) for r in records}), n_labels,
                                    json.loads(old_problems), already_imported=True)
        now = datetime.now(timezone.utc)
        import_id = f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        docs = {}
        label_rows = []
        with self._connect() as con:
            seq = con.execute("select coalesce(max(seq), 0) from labels").fetchone()[0]
            for rec in records:
                h = text_hash(rec.text)
                docs.setdefault(h, (h, rec.text, rec.source))
                for label, value in rec.labels.items():
                    seq += 1
                    label_rows.append((h, label, bool(value),
                                       rec.direction if label == "mutual_accusation" else None,
                                       rec.annotator, rec.labelled_at or now, import_id, seq))
            con.execute("begin")
            if docs:
                con.executemany("insert or ignore into documents values (?, ?, ?)",
                                list(docs.values()))
            if label_rows:
                con.executemany("insert into labels values (?, ?, ?, ?, ?, ?, ?, ?)", label_rows)
            con.execute("insert into imports values (?, ?, ?, ?, ?, ?, ?, ?, null, ?)",
                        [import_id, file, fmt, now, rows, len(label_rows),
                         json.dumps(problems, default=str), content, adjudication])
            con.execute("commit")
        return ImportResult(import_id, file, fmt, rows, len(docs), len(label_rows), problems)

    def current(self, labels: list[str], annotator: str | None = None) -> pd.DataFrame:
        """One row per labelled text: text, source, text_hash, one column per label (1, 0 or
        missing when never decided), direction. The gold labels, or with `annotator` that
        annotator's latest decisions."""
        view, where, params = "current_labels", "", []
        if annotator is not None:
            view, where, params = "annotator_decisions", "where c.annotator = ?", [annotator]
        with self._connect() as con:
            frame = con.execute(f"""select d.text_hash, d.text, d.source, c.label, c.value,
                                    c.direction from {view} c join documents d
                                    using (text_hash) {where}""", params).df()
        if frame.empty:
            return pd.DataFrame(columns=["text_hash", "text", "source", *labels, "direction"])
        wide = frame.pivot_table(index=["text_hash", "text"], columns="label", values="value",
                                 aggfunc="first").reindex(columns=labels)
        wide = wide.astype("Int8").reset_index()
        meta = frame.groupby("text_hash").agg(source=("source", "first"),
                                              direction=("direction", "first"))
        return wide.join(meta, on="text_hash")

    def undo(self, import_id: str) -> int:
        """Withdraw an import: its decisions stop counting (they stay in the history, and the
        decisions they had overridden count again). Returns the number of decisions
        withdrawn."""
        with self._connect() as con:
            found = con.execute("select labels, undone_at from imports where import_id = ?",
                                [import_id]).fetchone()
            if found is None or found[1] is not None:
                known = [r[0] for r in con.execute(
                    "select import_id from imports where undone_at is null "
                    "order by imported_at").fetchall()]
                state = "was already undone" if found else "does not exist"
                raise ImportNotFound(f"import {import_id} {state}; imports that can be undone: "
                                     f"{', '.join(known) or 'none'} (`disinfo labels stats`).")
            con.execute("update imports set undone_at = ? where import_id = ?",
                        [datetime.now(timezone.utc), import_id])
        return int(found[0])

    def decisions(self) -> pd.DataFrame:
        """Every named annotator's latest active decision per (text, label), adjudications
        aside: text_hash, label, annotator, value, direction."""
        with self._connect() as con:
            return con.execute("""
                select text_hash, label, annotator, value, direction from annotator_decisions
                where annotator is not null and annotator <> ''
                order by text_hash, label, annotator""").df()

    def votes(self) -> pd.DataFrame:
        """Per (text, label) decided by two or more annotators who disagree, or adjudicated:
        text_hash, text, source, label, yes, no, adjudicated, gold (True, False, or missing
        for a tie)."""
        with self._connect() as con:
            return con.execute("""
                select v.text_hash, d.text, d.source, v.label, v.yes, v.no, v.adjudicated,
                       g.value as gold
                from label_votes v join documents d using (text_hash)
                left join gold_labels g using (text_hash, label)
                where (v.yes > 0 and v.no > 0) or v.adjudicated
                order by v.label, v.text_hash""").df()

    def freeze_eval(self, size: int, labels: list[str], seed: int = 13,
                    stratify: bool = True) -> dict[str, Any]:
        """Draw `size` texts whose gold labels are all decided, stratified by their set of
        positive labels (sets with fewer than two texts pooled; `stratify=False`: at
        random), from the texts not yet frozen, and add them to the evaluation set for
        good."""
        from sklearn.model_selection import train_test_split
        gold = self.current(labels)
        with self._connect() as con:
            frozen = {r[0] for r in con.execute("select text_hash from eval_set").fetchall()}
        pool = gold[gold[labels].notna().all(axis=1) & ~gold["text_hash"].isin(frozen)]
        if size < 1 or size >= len(pool):
            raise ValueError(f"cannot freeze {size} text(s): {len(pool)} fully labelled "
                             f"text(s) are not yet in the evaluation set, and some must stay "
                             f"to train on; label more or ask for fewer.")
        strata = pool[labels].astype(int).astype(str).agg("".join, axis=1)
        counts = strata.value_counts()
        strata = strata.where(strata.map(counts) >= 2, "rare")
        if (strata == "rare").sum() == 1:  # a lone rare text joins the commonest stratum
            strata = strata.replace("rare", counts.index[0])
        try:
            _, picked = train_test_split(pool, test_size=size,
                                         stratify=strata if stratify else None,
                                         random_state=seed)
        except ValueError:  # more strata than texts to draw: a plain random draw
            picked = pool.sample(n=size, random_state=seed)
        now = datetime.now(timezone.utc)
        freeze_id = f"eval-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
        with self._connect() as con:
            con.executemany("insert into eval_set values (?, ?, ?)",
                            [(h, freeze_id, now) for h in picked["text_hash"]])
        return {"freeze_id": freeze_id, "texts": int(len(picked)),
                "evaluation_set": int(len(frozen) + len(picked)),
                "positives": {l: int(picked[l].sum()) for l in labels}}

    def eval_hashes(self) -> set[str]:
        with self._connect() as con:
            return {r[0] for r in con.execute("select text_hash from eval_set").fetchall()}

    def history(self, text: str) -> pd.DataFrame:
        with self._connect() as con:
            return con.execute("select * from labels where text_hash = ? order by seq",
                               [text_hash(text)]).df()

    def imports(self) -> pd.DataFrame:
        with self._connect() as con:
            return con.execute("select * from imports order by imported_at").df()

    def hashes(self) -> set[str]:
        with self._connect() as con:
            return {r[0] for r in con.execute("select text_hash from documents").fetchall()}

    def fingerprint(self) -> str:
        """SHA-256 of the current labels: which labels a model was trained on."""
        with self._connect() as con:
            rows = con.execute("""select text_hash, label, value, coalesce(direction, '')
                                  from current_labels order by 1, 2""").fetchall()
        return "sha256:" + hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def review_tasks(store: LabelStore, labels: list[str], disagreements: pd.DataFrame
                 ) -> pd.DataFrame:
    """The texts of `disagreements` (rows of `LabelStore.votes()`) as tasks for
    `formats.write_tasks`: id (the text hash), text, source, and per label its gold label
    (a tie: 0) and the share of yes votes as `<label>_score`. Every label is pre-filled,
    since a label-list import decides all four labels of a text."""
    gold = store.current(labels).set_index("text_hash")
    frame = (disagreements.drop_duplicates("text_hash")[["text_hash", "text", "source"]]
             .rename(columns={"text_hash": "id"}).reset_index(drop=True))
    share = disagreements.assign(
        share=disagreements["yes"] / (disagreements["yes"] + disagreements["no"]))
    for label in labels:
        frame[label] = frame["id"].map(gold[label]).fillna(0).astype(int)
        part = share[share["label"] == label].set_index("text_hash")["share"]
        frame[f"{label}_score"] = frame["id"].map(part).fillna(frame[label]).astype(float)
    return frame
