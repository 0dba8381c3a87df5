"""Exact and near-duplicate marking for the clean stage, with the index on disk.

A record is an exact duplicate of the first record whose text has the same key (case-folded
words, punctuation and spacing ignored), and a near duplicate of the earliest record that
shares a MinHash-LSH band with it (datasketch's MinHash, with the bands and rows datasketch's
MinHashLSH chooses for the threshold; a candidate is not re-verified, as MinHashLSH.query
does not verify). The index lives in an SQLite file (keys and band hashes, never texts), so
the stage's memory does not grow with the corpus; only the first record of each key and
band is stored, which is all "the earliest" needs.
"""
from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH

_WORD = re.compile(r"\w+", re.UNICODE)


def words_of(text: str) -> list[str]:
    """The case-folded words of a text (what both keys are made of)."""
    return _WORD.findall(text.casefold())


def dedupe_key(words: list[str]) -> bytes:
    """Exact-duplicate key of a text's words: punctuation and spacing ignored."""
    return hashlib.sha1(" ".join(words).encode()).digest()


def shingles(words: list[str], size: int) -> set[bytes]:
    if len(words) <= size:
        return {" ".join(words).encode()}
    return {" ".join(words[i:i + size]).encode() for i in range(len(words) - size + 1)}


class Signer:
    """What the index is looked up by: a text's exact key and its LSH band hashes (None
    when near duplicates are not marked). Holds no state beyond its parameters, so the
    signatures of a corpus can be computed anywhere (in a Dask worker too) and marked in
    input order by one `Deduplicator`."""

    def __init__(self, threshold: float, num_perm: int, shingle_words: int, near: bool):
        self.near, self.num_perm, self.size = near, num_perm, shingle_words
        params = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self.ranges = [(i * params.r, (i + 1) * params.r) for i in range(params.b)]
        template = MinHash(num_perm=num_perm, seed=1)
        self.permutations, self.scheme = template.permutations, template.scheme

    def sign(self, text: str) -> tuple[bytes, list[int] | None]:
        words = words_of(text)
        return dedupe_key(words), (self._bands(words) if self.near else None)

    def _bands(self, words: list[str]) -> list[int]:
        """One signed 64-bit hash per LSH band (the band's number is part of the hash)."""
        mh = MinHash(num_perm=self.num_perm, seed=1, permutations=self.permutations,
                     scheme=self.scheme)
        mh.update_batch(list(shingles(words, self.size)))
        values = np.asarray(mh.hashvalues, dtype=np.uint64)
        return [int.from_bytes(hashlib.blake2b(values[start:end].tobytes(), digest_size=8,
                                               person=band.to_bytes(8, "little")).digest(),
                               "little", signed=True)
                for band, (start, end) in enumerate(self.ranges)]


class Deduplicator:
    """Marks records in input order; `mark` answers for one record, then remembers it.

    `path` is the index file (replaced if it exists); `close()` removes it. Use it as a
    context manager."""

    def __init__(self, path: str | Path, threshold: float, num_perm: int, shingle_words: int,
                 near: bool, exact: bool):
        self.exact, self.near = exact, near
        self.signer = Signer(threshold, num_perm, shingle_words, near)
        self.path = Path(path)
        self.path.unlink(missing_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.executescript("""
            pragma journal_mode = off; pragma synchronous = off; pragma temp_store = file;
            create table exact (key blob primary key, id text not null) without rowid;
            create table bands (h integer primary key, ord integer not null);
            create table docs (ord integer primary key, id text not null);
            begin;""")
        self.count = 0

    def __enter__(self) -> "Deduplicator":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()
        self.path.unlink(missing_ok=True)

    def mark(self, doc_id: str, text: str) -> tuple[str | None, str | None]:
        """Return (dup_of, near_dup_of) for a record, then remember it."""
        return self.mark_signed(doc_id, *self.signer.sign(text))

    def mark_signed(self, doc_id: str, key: bytes, bands: list[int] | None
                    ) -> tuple[str | None, str | None]:
        """`mark` for a record whose signature (`Signer.sign`) is already computed."""
        if self.exact:
            found = self.db.execute("select id from exact where key = ?", (key,)).fetchone()
            if found:
                return found[0], None
        self.db.execute("insert or ignore into exact values (?, ?)", (key, doc_id))
        if not self.near:
            return None, None
        marks = ",".join("?" * len(bands))
        first = self.db.execute(f"select min(ord) from bands where h in ({marks})",
                                bands).fetchone()[0]
        near = (self.db.execute("select id from docs where ord = ?", (first,)).fetchone()[0]
                if first is not None else None)
        self.db.execute("insert into docs values (?, ?)", (self.count, doc_id))
        self.db.executemany("insert or ignore into bands values (?, ?)",
                            [(h, self.count) for h in bands])
        self.count += 1
        return None, near
