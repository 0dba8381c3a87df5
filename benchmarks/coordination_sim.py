"""Coordination benchmark on a simulated platform export, with coordination-network-toolkit
run on the same data in the same run.

The simulator (deterministic for a seed) writes posts of:
- organic accounts with heavy-tailed (log-normal) activity and a daily cycle, posting
  original texts (some with hashtags and links), retweets of popular posts (delays of
  minutes to hours), news headlines shared with the outlet's share-button text and link,
  and stock phrases ("good morning everyone");
- injected campaigns, each with filler posts of their own: `text` campaigns, sock-puppet
  accounts posting near-copies of a message (word swaps, drops and additions; their own
  links and shuffled hashtags) within minutes, in several bursts; `link` campaigns, accounts
  posting the same link within minutes, each with words of their own; `repost` campaigns,
  accounts reposting the same post within minutes, each with a comment of their own.
Ground truth is the set of puppet accounts (per campaign kind) and campaign posts.

    python benchmarks/coordination_sim.py --posts 100000 1000000

prints one JSON object: per size, account- and post-level precision/recall/F1, wall time and
peak memory (max RSS of a fresh worker process) of the `disinfo` coordination detector, and
account-level figures and wall time of the toolkit's `co_tweet`, `co_similar_tweet`,
`co_link` and `co_retweet` (same window; toolkit installed with
`pip install coordination-network-toolkit==1.5.2`), and for each method the account-level
F1 per campaign kind (`by_kind`: the kind's puppets as truth, the puppets of other kinds
left out of what was found).
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

START = 1_767_225_600  # 2026-01-01 UTC
WINDOW = 120


def _words(rng: np.random.Generator, n: int) -> np.ndarray:
    syll = np.array(["ka", "lo", "mi", "ne", "ru", "ta", "po", "si", "de", "va", "zu", "ri",
                     "an", "ol", "es", "ir", "um", "ba", "go", "fe"])
    words = set()
    while len(words) < n:
        k = rng.integers(1, 4)
        words.add("".join(rng.choice(syll, size=k)))
    return np.array(sorted(words))


class Simulator:
    def __init__(self, n_posts: int, seed: int = 7, days: int = 30):
        self.n_posts, self.seed, self.days = n_posts, seed, days
        self.rng = np.random.default_rng(seed)
        self.vocab = _words(self.rng, 6000)
        ranks = np.arange(1, len(self.vocab) + 1)
        self.p_word = (1 / ranks ** 1.05) / (1 / ranks ** 1.05).sum()
        self.rows: list[tuple] = []  # (author, time, text, repost_of, campaign)

    def sentence(self, lo: int, hi: int) -> list[str]:
        n = int(self.rng.integers(lo, hi + 1))
        return list(self.rng.choice(self.vocab, size=n, p=self.p_word))

    def daily_times(self, n: int) -> np.ndarray:
        hours = np.arange(24)
        p = 1 + 0.8 * np.sin((hours - 9) / 24 * 2 * np.pi)
        hour = self.rng.choice(24, size=n, p=p / p.sum())
        day = self.rng.integers(0, self.days, size=n)
        return START + day * 86400 + hour * 3600 + self.rng.integers(0, 3600, size=n)

    def simulate(self) -> tuple[pd.DataFrame, set[str]]:
        rng = self.rng
        n_campaigns = max(4, self.n_posts // 40000)
        campaign_posts = self._campaigns(n_campaigns)
        n_other = max(2, self.n_posts // 80000)
        campaign_posts += self._link_campaigns(n_other)
        campaign_posts += self._repost_campaigns(n_other)
        n_org = self.n_posts - campaign_posts
        n_accounts = max(50, self.n_posts // 12)
        activity = rng.lognormal(0, 1.4, size=n_accounts)
        activity /= activity.sum()
        authors = rng.choice(n_accounts, size=n_org, p=activity)
        kind = rng.choice(4, size=n_org, p=[0.55, 0.20, 0.15, 0.10])
        times = self.daily_times(n_org)
        trending = [f"#{w}" for w in self.vocab[200:500]]
        sites = [f"https://{w}.example/" for w in self.vocab[500:700]]
        originals = []
        for author, t in zip(authors[kind == 0], times[kind == 0]):
            words = self.sentence(6, 24)
            if rng.random() < 0.3:
                words += list(rng.choice(trending, size=rng.integers(1, 3)))
            if rng.random() < 0.15:
                words.append(rng.choice(sites) + "".join(rng.choice(self.vocab, 2)))
            text = " ".join(words)
            originals.append((f"u{author}", int(t), text))
            self.rows.append((f"u{author}", int(t), text, None, None))
        # retweets of popular originals
        n_rt = int((kind == 1).sum())
        if originals and n_rt:
            pool = rng.choice(len(originals), size=max(1, len(originals) // 50), replace=False)
            weights = 1 / np.arange(1, len(pool) + 1) ** 1.1
            picks = pool[rng.choice(len(pool), size=n_rt, p=weights / weights.sum())]
            delays = rng.lognormal(np.log(1800), 1.5, size=n_rt).astype(int)
            seen = set()
            for author, pick, delay in zip(authors[kind == 1], picks, delays):
                if (author, pick) in seen:  # one retweet of a post per account
                    continue
                seen.add((author, pick))
                o_author, o_t, o_text = originals[pick]
                self.rows.append((f"u{author}", o_t + int(delay), f"RT @{o_author}: {o_text}",
                                  f"{o_author}:{o_t}", None))
        # headlines shared with share-button text by unrelated accounts
        n_share = int((kind == 2).sum())
        n_head = max(20, self.n_posts // 500)
        heads = [" ".join(self.sentence(7, 14)).capitalize() for _ in range(n_head)]
        outlets = [f"{w}news" for w in self.vocab[700:740]]
        published = self.daily_times(n_head)
        hw = 1 / np.arange(1, n_head + 1) ** 0.9
        pick = rng.choice(n_head, size=n_share, p=hw / hw.sum())
        delay = rng.exponential(3 * 3600, size=n_share).astype(int)
        seen = set()
        for author, h, d in zip(authors[kind == 2], pick, delay):
            if (author, h) in seen:  # one share of a headline per account
                continue
            seen.add((author, h))
            outlet = outlets[h % len(outlets)]
            src = rng.choice(["twitter", "facebook", "share"])
            self.rows.append((f"u{author}", int(published[h] + d),
                              f"{heads[h]} via @{outlet} https://{outlet}.example/a/{h}"
                              f"?utm_source={src}", None, None))
        # stock phrases
        phrases = ["good morning everyone", "good morning", "happy friday", "thank you so much",
                   "so true", "this", "well said", "happy new year", "good night all",
                   "great news", "agreed", "love this", "wow", "congratulations"]
        for author, t in zip(authors[kind == 3], times[kind == 3]):
            text = rng.choice(phrases)
            self.rows.append((f"u{author}", int(t), text + rng.choice(["", "!", " !!", " :)"]),
                              None, None))
        frame = pd.DataFrame(self.rows, columns=["author", "time", "text", "repost_of",
                                                 "campaign"])
        frame = frame.sort_values(["time", "author"], kind="stable").reset_index(drop=True)
        frame.insert(0, "id", [f"p{i}" for i in range(len(frame))])
        puppets = set(frame.loc[frame["campaign"].notna() & (frame["campaign"] != "filler"),
                                "author"])
        return frame, puppets

    def _edit(self, words: list[str]) -> list[str]:
        rng = self.rng
        words = list(words)
        if rng.random() < 0.6:
            for _ in range(rng.integers(1, 3)):
                words[rng.integers(len(words))] = rng.choice(self.vocab[:3000])
        if rng.random() < 0.3 and len(words) > 8:
            del words[rng.integers(len(words))]
        if rng.random() < 0.3:
            words.insert(int(rng.integers(len(words))), rng.choice(self.vocab[:3000]))
        return words

    def _campaigns(self, n: int) -> int:
        rng = self.rng
        count = 0
        for c in range(n):
            k = int(rng.integers(8, 41))
            puppets = [f"sock{c}_{i}" for i in range(k)]
            tags = [f"#{w}" for w in rng.choice(self.vocab[1000:2000], size=4)]
            site = f"https://{self.vocab[2000 + c]}-truth.example/"
            n_bursts = int(rng.integers(3, 9))
            starts = self.daily_times(n_bursts)
            template = self.sentence(12, 22)
            for b in range(n_bursts):
                if b and rng.random() > 0.3:  # most bursts push a new message
                    template = self.sentence(12, 22)
                for p in puppets:
                    if rng.random() > 0.85:
                        continue
                    t = int(starts[b] + min(300, rng.exponential(45)))
                    words = self._edit(template)
                    words += list(rng.permutation(tags)[:rng.integers(1, 4)])
                    link = (f"https://bit.ly/{''.join(rng.choice(list('abcdefgh'), 6))}"
                            if rng.random() < 0.5 else site + "".join(rng.choice(self.vocab, 2)))
                    self.rows.append((p, t, " ".join(words) + " " + link, None, f"text{c}"))
                    count += 1
            count += self._filler(puppets)
        return count

    def _filler(self, puppets: list[str]) -> int:
        """The puppets' own posts, between campaigns."""
        count = 0
        for p in puppets:
            for t in self.daily_times(int(self.rng.integers(3, 15))):
                self.rows.append((p, int(t), " ".join(self.sentence(6, 20)), None, "filler"))
                count += 1
        return count

    def _bursts(self, kind: str, c: int, post) -> int:
        """Puppets acting together in 3-8 bursts; `post(puppet, burst)` gives (text,
        repost_of) of one puppet's post in a burst."""
        rng = self.rng
        puppets = [f"{kind}sock{c}_{i}" for i in range(int(rng.integers(8, 41)))]
        count = 0
        for b, start in enumerate(self.daily_times(int(rng.integers(3, 9)))):
            for p in puppets:
                if rng.random() > 0.85:
                    continue
                text, repost_of = post(p, b)
                self.rows.append((p, int(start + min(300, rng.exponential(45))), text,
                                  repost_of, f"{kind}{c}"))
                count += 1
        return count + self._filler(puppets)

    def _link_campaigns(self, n: int) -> int:
        """The same link, each puppet with words of its own."""
        count = 0
        for c in range(n):
            site = f"https://{self.vocab[2100 + c]}-daily.example/"
            slugs = ["-".join(self.rng.choice(self.vocab, 3)) for _ in range(8)]
            count += self._bursts("link", c, lambda p, b, site=site, slugs=slugs: (
                " ".join(self.sentence(6, 18)) + f" {site}{slugs[b]}", None))
        return count

    def _repost_campaigns(self, n: int) -> int:
        """Reposts of the same post, each puppet with a comment of its own."""
        count = 0
        for c in range(n):
            count += self._bursts("repost", c, lambda p, b, c=c: (
                " ".join(self.sentence(3, 10)), f"target{c}:{b}"))
        return count


def scores(found: set[str], truth: set[str]) -> dict[str, float]:
    tp = len(found & truth)
    p = tp / len(found) if found else 0.0
    r = tp / len(truth) if truth else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0, "flagged": len(found)}


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


# -- workers (fresh processes, so that peak memory is each method's own) ---------------------
def worker_ours(data: Path) -> dict:
    from pipeline.config import load_config
    from pipeline.coordination.detect import CoordinationDetector
    frame = pd.read_parquet(data, columns=["id", "author", "time", "text", "repost_of"])
    config = load_config(overrides=[f"coordination.window_seconds={WINDOW}"])
    started = time.perf_counter()
    det = CoordinationDetector.from_config(config["coordination"]).fit(frame)
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "peak_rss_mb": peak_rss_mb(),
            "accounts": sorted({a for accs in det.clusters_["accounts"] for a in accs}),
            "posts": det.posts_["id"].tolist(), "stats": det.stats_}


def worker_toolkit(data: Path, min_weight: int, similarity: float) -> dict:
    from coordination_network_toolkit import compute_networks, preprocess
    frame = pd.read_parquet(data)
    tmp = Path(tempfile.mkdtemp(prefix="cnt-"))
    csv_path, db = tmp / "messages.csv", str(tmp / "messages.db")
    urls = frame["text"].str.findall(r"https?://\S+").str.join(" ")
    out = pd.DataFrame({"message_id": frame["id"], "user_id": frame["author"],
                        "username": frame["author"], "repost_id": frame["repost_of"].fillna(""),
                        "reply_id": "", "message": frame["text"], "timestamp": frame["time"],
                        "urls": urls})
    out.to_csv(csv_path, index=False, quoting=csv.QUOTE_MINIMAL)
    del frame, out
    started = time.perf_counter()
    preprocess.preprocess_csv_files(db, [str(csv_path)])
    result = {"preprocess_seconds": round(time.perf_counter() - started, 2)}
    import sqlite3
    for name, fn, kwargs in [
            ("co_tweet", compute_networks.compute_co_tweet_network, {}),
            ("co_similar_tweet", compute_networks.compute_co_similar_tweet,
             {"similarity_threshold": similarity}),
            ("co_link", compute_networks.compute_co_link_network, {}),
            ("co_retweet", compute_networks.compute_co_retweet_parallel, {})]:
        started = time.perf_counter()
        fn(db, WINDOW, min_edge_weight=min_weight, n_threads=2, **kwargs)
        seconds = time.perf_counter() - started
        rows = sqlite3.connect(db).execute(
            f"select user_1, user_2, weight from {name}_network where user_1 != user_2").fetchall()
        result[name] = {"seconds": round(seconds, 2), "edges": len(rows),
                        "accounts": {str(k): sorted({u for a, b, w in rows if w >= k for u in (a, b)})
                                     for k in (min_weight, min_weight + 1)}}
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def run_worker(*args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"worker {args} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


KINDS = ("text", "link", "repost")


def by_kind(found: set[str], frame: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Account-level scores per campaign kind: the kind's puppets are the truth; puppets of
    the other kinds are left out of what was found (they are another kind's hits). Also
    `<kind>_repeated`: only the puppets that took part at least twice count as truth (a
    puppet that acted once is not coordinated "again and again", and no method that needs
    two shared events, as both tools here do by default, can find it)."""
    acting = frame[frame["campaign"].notna() & (frame["campaign"] != "filler")]
    out = {}
    for kind in KINDS:
        mine = acting[acting["campaign"].str.startswith(kind)]
        truth = set(mine["author"])
        others = set(acting["author"]) - truth
        out[kind] = scores(found - others, truth)
        repeated = mine.groupby("author").size()
        once = set(repeated[repeated < 2].index)
        out[f"{kind}_repeated"] = scores(found - others - once, truth - once)
    return out


def bench(n_posts: int, seed: int, toolkit: bool, similarity: float) -> dict:
    started = time.perf_counter()
    frame, puppets = Simulator(n_posts, seed).simulate()
    campaign_posts = set(frame.loc[frame["campaign"].notna() & (frame["campaign"] != "filler"),
                                   "id"])
    out = {"posts": len(frame), "accounts": int(frame["author"].nunique()),
           "puppets": len(puppets), "campaign_posts": len(campaign_posts),
           "simulate_seconds": round(time.perf_counter() - started, 1)}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "posts.parquet"
        frame.to_parquet(data, index=False)
        ours = run_worker("--worker", "ours", "--data", str(data))
        out["disinfo"] = {"seconds": ours["seconds"], "peak_rss_mb": ours["peak_rss_mb"],
                          "accounts": scores(set(ours["accounts"]), puppets),
                          "by_kind": by_kind(set(ours["accounts"]), frame),
                          "posts": scores(set(ours["posts"]), campaign_posts),
                          "stats": ours["stats"]}
        if toolkit:
            tk = run_worker("--worker", "toolkit", "--data", str(data),
                            "--toolkit-similarity", str(similarity))
            out["toolkit"] = {"preprocess_seconds": tk["preprocess_seconds"],
                              "peak_rss_mb": tk["peak_rss_mb"], "similarity": similarity}
            for name in ("co_tweet", "co_similar_tweet", "co_link", "co_retweet"):
                out["toolkit"][name] = {
                    "seconds": tk[name]["seconds"], "edges": tk[name]["edges"],
                    **{f"accounts_min_weight_{k}": scores(set(v), puppets)
                       for k, v in tk[name]["accounts"].items()},
                    **{f"by_kind_min_weight_{k}": by_kind(set(v), frame)
                       for k, v in tk[name]["accounts"].items()}}
            out["speedup_vs_co_similar_tweet"] = round(
                tk["co_similar_tweet"]["seconds"] / max(ours["seconds"], 1e-9), 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[100_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-toolkit", action="store_true")
    parser.add_argument("--toolkit-similarity", type=float, default=0.6)
    parser.add_argument("--worker", choices=["ours", "toolkit"])
    parser.add_argument("--data", type=Path)
    args = parser.parse_args()
    if args.worker == "ours":
        print(json.dumps(worker_ours(args.data)))
        return
    if args.worker == "toolkit":
        print(json.dumps(worker_toolkit(args.data, 2, args.toolkit_similarity)))
        return
    toolkit = not args.no_toolkit
    if toolkit:
        if importlib.util.find_spec("coordination_network_toolkit") is None:
            sys.exit("coordination-network-toolkit is not installed: `pip install "
                     "coordination-network-toolkit==1.5.2` or pass --no-toolkit.")
    results = {"window_seconds": WINDOW, "seed": args.seed,
               "runs": [bench(n, args.seed, toolkit, args.toolkit_similarity)
                        for n in args.posts]}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    main()
