"""The clean stage's duplicate index: the same answers as datasketch's in-memory MinHashLSH,
with memory that does not grow with the number of records."""
import random
import tracemalloc

from datasketch import LeanMinHash, MinHash, MinHashLSH

from pipeline.dedupe import Deduplicator, dedupe_key, shingles, words_of

WORDS = ("nato troops border russia poland baltic exercise media west sanctions kremlin "
         "propaganda election ukraine army tanks drills ministry report claims officials "
         "agreement summit defence missile statement brussels moscow washington").split()


def corpus(n: int, seed: int = 0) -> list[str]:
    """Random texts, with exact repeats, case/punctuation variants and one-word edits of
    earlier texts mixed in."""
    rng = random.Random(seed)
    texts: list[str] = []
    for _ in range(n):
        roll = rng.random()
        if texts and roll < 0.1:
            texts.append(rng.choice(texts))
        elif texts and roll < 0.2:
            texts.append(rng.choice(texts).upper() + "!!")
        elif texts and roll < 0.35:
            words = rng.choice(texts).split()
            words[rng.randrange(len(words))] = rng.choice(WORDS)
            texts.append(" ".join(words))
        else:
            texts.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 60))))
    return texts


def reference(texts, threshold=0.8, num_perm=64, size=3):
    """The previous in-memory index: a dict of keys and datasketch's MinHashLSH."""
    first, order, out = {}, {}, []
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for i, text in enumerate(texts):
        key = dedupe_key(words_of(text))
        if key in first:
            out.append((first[key], None))
            continue
        first[key] = str(i)
        mh = MinHash(num_perm=num_perm, seed=1)
        mh.update_batch(list(shingles(words_of(text), size)))
        hits = lsh.query(LeanMinHash(mh))
        out.append((None, min(hits, key=order.__getitem__) if hits else None))
        order[str(i)] = len(order)
        lsh.insert(str(i), LeanMinHash(mh))
    return out


def test_marks_equal_datasketchs_in_memory_lsh(tmp_path):
    texts = corpus(1500)
    with Deduplicator(tmp_path / "index.sqlite", 0.8, 64, 3, near=True, exact=True) as dedup:
        marks = [dedup.mark(str(i), text) for i, text in enumerate(texts)]
    expected = reference(texts)
    assert marks == expected
    assert sum(d is not None for d, _ in marks) > 100
    assert sum(n is not None for _, n in marks) > 100


def test_the_index_file_is_removed_and_exact_only_mode_skips_minhash(tmp_path):
    path = tmp_path / "index.sqlite"
    with Deduplicator(path, 0.8, 64, 3, near=False, exact=True) as dedup:
        assert dedup.mark("a", "NATO troops at the border.") == (None, None)
        assert dedup.mark("b", "nato troops at the border") == ("a", None)
        assert dedup.mark("c", "NATO troops at the border, say officials.") == (None, None)
        assert path.exists()
    assert not path.exists()
    with Deduplicator(path, 0.8, 64, 3, near=True, exact=False) as dedup:
        dedup.mark("a", "one two three four five six seven eight")
        assert dedup.mark("b", "one two three four five six seven eight") == (None, "a")


def test_memory_does_not_grow_with_the_records_marked(tmp_path):
    def peak(n):
        texts = corpus(n, seed=n)
        tracemalloc.start()
        with Deduplicator(tmp_path / f"{n}.sqlite", 0.8, 64, 3, near=True,
                          exact=True) as dedup:
            for i, text in enumerate(texts):
                dedup.mark(f"record-{i}", text)
            _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top
    small, large = peak(1000), peak(8000)
    assert large < 1.5 * small, (small, large)
