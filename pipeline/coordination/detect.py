"""Coordinated accounts from who posted what and when: co-posting events -> account network
-> clusters.

1. **Units.** Per behaviour channel, posts are grouped by key: the normalised text (`text`),
   each normalised link (`link`), the hashtag sequence of posts with at least
   `min_hashtags` hashtags (`hashtags`), the id of the post a post reposts (`repost`: a
   retweet or share, from the export's `repost_of`, whatever its text says). A key's posts
   are cut into sessions wherever two consecutive posts are more than `window_seconds`
   apart: a unit is one session of one key.
2. **Near copies.** Text units whose messages have at least `min_tokens` words are compared
   with their neighbours in time only: units are placed in time buckets of `window_seconds`
   and each bucket is compared with itself and the next one (cosine of hashed word 1-2-gram
   vectors >= `similarity`, time gap <= `window_seconds`). Linked units form one event, so a
   burst of near-copies with small edits is one co-posting event. Never all pairs.
3. **Discounting.** An event with accounts A counts d = share * d_time * d_popular for every
   pair in A: share = the event's posts / all posts of its messages over the whole period
   (a message whose posts trickle in over hours and days, like a retweet cascade, a shared
   headline or "good morning", has many small sessions, each holding a small share);
   d_time = min(1, burst_seconds / duration) discounts long sessions of steady posting;
   d_popular = min(1, popular_accounts / accounts that posted the message over the whole
   period) discounts what very many unrelated accounts post. Events worth less than
   `min_event_weight`, or with more than `max_event_accounts` accounts, create no pairs
   (counted in the stats).
4. **Edges.** Per channel, a pair's weight is the sum of d over the events it shares, and its
   overlap is that weight divided by the geometric mean of the two accounts' total event
   weights (Salton's index: a hyperactive account that co-occurs with everyone a little
   gets no edge, since its total is large). An edge needs
   at least `min_events` events, weight >= `min_weight` and overlap >= `min_overlap` in some
   channel; its weight is the largest over channels.
5. **Clusters.** Connected components of the edges. Cluster posts are the members' posts in
   events shared with another member; they are cut into bursts at gaps over
   `burst_seconds`. The score is the mean of five parts in [0, 1]: size (1 - 1/accounts),
   repetition (1 - 1/bursts), synchrony (1 - median gap between consecutive posts of a burst
   / window), text similarity (mean cosine within bursts) and the share of the members'
   posts that are cluster posts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import HashingVectorizer

from .normalise import extract_urls, hashtag_sequence, normalise_text

CHANNELS = ("text", "link", "hashtags", "repost")
_BLOCK_UNITS = 400  # text units compared per sparse product


def _vectoriser() -> HashingVectorizer:
    return HashingVectorizer(ngram_range=(1, 2), n_features=2 ** 20, alternate_sign=False,
                             binary=True, norm="l2", lowercase=False, token_pattern=r"\S+")


def sessions(keys: np.ndarray, times: np.ndarray, gap: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut each key's posts into sessions at gaps over `gap` seconds. Returns the order that
    sorts the rows by (key, time) and, in that order, the session (unit) number of each row."""
    order = np.lexsort((times, keys))
    k, t = keys[order], times[order]
    new = np.ones(len(order), dtype=bool)
    new[1:] = (k[1:] != k[:-1]) | (t[1:] - t[:-1] > gap)
    return order, np.cumsum(new) - 1


@dataclass
class _Channel:
    """Rows (post, account, time, event) of one behaviour channel, and per-event figures."""
    name: str
    post: np.ndarray
    event: np.ndarray
    key: np.ndarray
    weight: np.ndarray = field(default_factory=lambda: np.zeros(0))  # d per event
    n_accounts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


class CoordinationDetector:
    """Find clusters of accounts that post the same or nearly the same content together.

    `fit(posts)` takes a frame with columns `id`, `author`, `time` (UTC seconds, int) and
    `text`, and sets `clusters_`, `edges_`, `posts_` (cluster posts: id, cluster_id, score)
    and `stats_`.
    """

    def __init__(self, window_seconds: int = 120, burst_seconds: int = 600,
                 similarity: float = 0.6, min_tokens: int = 4, min_hashtags: int = 2,
                 popular_accounts: int = 200, min_event_weight: float = 0.05,
                 max_event_accounts: int = 2000, min_events: int = 2, min_weight: float = 1.5,
                 min_overlap: float = 0.3, channels: tuple[str, ...] = CHANNELS,
                 url_resolution: Mapping[str, str] | None = None):
        self.window_seconds = window_seconds
        self.burst_seconds = burst_seconds
        self.similarity = similarity
        self.min_tokens = min_tokens
        self.min_hashtags = min_hashtags
        self.popular_accounts = popular_accounts
        self.min_event_weight = min_event_weight
        self.max_event_accounts = max_event_accounts
        self.min_events = min_events
        self.min_weight = min_weight
        self.min_overlap = min_overlap
        self.channels = channels
        self.url_resolution = url_resolution

    @classmethod
    def from_config(cls, section: Mapping[str, Any], **kwargs: Any) -> "CoordinationDetector":
        names = ("window_seconds", "burst_seconds", "similarity", "min_tokens", "min_hashtags",
                 "popular_accounts", "min_event_weight", "max_event_accounts", "min_events",
                 "min_weight", "min_overlap")
        params = {name: section[name] for name in names}
        params["channels"] = tuple(section["channels"])
        return cls(**params, **kwargs)

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, posts: pd.DataFrame) -> "CoordinationDetector":
        unknown = set(self.channels) - set(CHANNELS)
        if unknown:
            raise ValueError(f"unknown coordination channel(s) {sorted(unknown)}; "
                             f"choose from {list(CHANNELS)}.")
        posts = posts.reset_index(drop=True)
        self.n_posts_ = len(posts)
        self.account_codes_, self.accounts_ = pd.factorize(posts["author"].astype(str))
        self.account_codes_ = self.account_codes_.astype(np.int64)
        self.times_ = posts["time"].to_numpy(dtype=np.int64)
        self.ids_ = posts["id"].astype(str).to_numpy()
        texts = posts["text"].fillna("").astype(str).tolist()
        self.texts_ = texts
        # links an export lists apart from the text (its `urls` column) count as the text's
        self.links_ = (posts["links"].fillna("").astype(str).tolist() if "links" in posts
                       else [""] * len(texts))
        # the post each post reposts (a retweet's original), as the export names it
        self.reposts_ = (posts["repost_of"].fillna("").astype(str).tolist()
                         if "repost_of" in posts else [""] * len(texts))
        self.norm_ = [normalise_text(x) for x in texts]
        channels = []
        skipped = {"low_weight_events": 0, "oversized_events": 0}
        for name in self.channels:
            channel = getattr(self, f"_{name}_channel")()
            self._weigh_events(channel)
            channels.append(channel)
        edges, pair_events = self._edges(channels, skipped)
        self._clusters(channels, edges, pair_events)
        self.stats_ = {
            "posts": self.n_posts_, "accounts": int(len(self.accounts_)),
            "events": {c.name: int((c.n_accounts >= 2).sum()) for c in channels},
            "skipped_events": skipped, "edges": int(len(self.edges_)),
            "clusters": int(len(self.clusters_)),
            "cluster_accounts": int(self.clusters_["n_accounts"].sum()) if len(self.clusters_) else 0,
            "cluster_posts": int(len(self.posts_))}
        return self

    # -- channels --------------------------------------------------------------------------
    def _text_channel(self) -> _Channel:
        norm = pd.Series(self.norm_, dtype=object)
        keep = np.flatnonzero(norm.str.len().to_numpy() > 0)
        msg_codes, messages = pd.factorize(norm.iloc[keep])
        order, unit = sessions(msg_codes, self.times_[keep], self.window_seconds)
        post = keep[order]
        unit_msg = msg_codes[order][np.r_[0, np.flatnonzero(np.diff(unit)) + 1]] \
            if len(unit) else np.zeros(0, dtype=np.int64)
        n_units = int(unit[-1]) + 1 if len(unit) else 0
        t = self.times_[post]
        t0 = np.full(n_units, np.iinfo(np.int64).max)
        t1 = np.full(n_units, np.iinfo(np.int64).min)
        np.minimum.at(t0, unit, t)
        np.maximum.at(t1, unit, t)
        links = self._near_links(np.asarray(messages, dtype=object), unit_msg, t0, t1)
        graph = sp.coo_matrix((np.ones(len(links[0])), links), shape=(n_units, n_units))
        _, event_of_unit = connected_components(graph, directed=False)
        return _Channel("text", post, event_of_unit[unit], msg_codes[order])

    def _near_links(self, messages: np.ndarray, unit_msg: np.ndarray, t0: np.ndarray,
                    t1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pairs of text units with similar messages and a time gap <= window_seconds."""
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        if self.similarity >= 1.0 or len(unit_msg) < 2:
            return empty
        n_tokens = np.fromiter((m.count(" ") + 1 for m in messages), dtype=np.int64,
                               count=len(messages))
        eligible = np.flatnonzero(n_tokens[unit_msg] >= self.min_tokens)
        if len(eligible) < 2:
            return empty
        used_msgs, msg_row = np.unique(unit_msg[eligible], return_inverse=True)
        vectors = _vectoriser().transform(messages[used_msgs]).tocsr()
        w = self.window_seconds
        first, last = t0[eligible] // w, t1[eligible] // w
        spans = last - first + 1
        rep = np.repeat(np.arange(len(eligible)), spans)
        bucket = first[rep] + (np.arange(len(rep)) - np.repeat(np.cumsum(spans) - spans, spans))
        order = np.argsort(bucket, kind="stable")
        rep, bucket = rep[order], bucket[order]
        starts = np.r_[0, np.flatnonzero(np.diff(bucket)) + 1, len(bucket)]
        out_a, out_b = [], []
        i = 0
        n_groups = len(starts) - 1
        while i < n_groups:
            j = i + 1  # grow the block of consecutive buckets up to _BLOCK_UNITS rows
            while j < n_groups and starts[j + 1] - starts[i] <= _BLOCK_UNITS:
                j += 1
            rows = np.unique(rep[starts[i]:starts[j]])
            last_bucket = bucket[starts[j - 1]]
            k = j
            if k < n_groups and bucket[starts[k]] == last_bucket + 1:
                k += 1
            cols = np.unique(rep[starts[i]:starts[k]])
            sims = (vectors[msg_row[rows]] @ vectors[msg_row[cols]].T).tocoo()
            hit = sims.data >= self.similarity
            a, b = rows[sims.row[hit]], cols[sims.col[hit]]
            ua, ub = eligible[a], eligible[b]
            gap = np.maximum(t0[ua], t0[ub]) - np.minimum(t1[ua], t1[ub])
            keep = (ua < ub) & (unit_msg[ua] != unit_msg[ub]) & (gap <= w)
            out_a.append(ua[keep])
            out_b.append(ub[keep])
            i = j
        return np.concatenate(out_a), np.concatenate(out_b)

    def _keyed_channel(self, name: str, post: np.ndarray, keys: list[str]) -> _Channel:
        if not len(post):
            empty = np.zeros(0, dtype=np.int64)
            return _Channel(name, empty, empty, empty)
        codes, _ = pd.factorize(pd.Series(keys, dtype=object))
        order, unit = sessions(codes, self.times_[post], self.window_seconds)
        return _Channel(name, post[order], unit, codes[order])

    def _link_channel(self) -> _Channel:
        post, keys = [], []
        for i, (text, listed) in enumerate(zip(self.texts_, self.links_)):
            if listed:
                text = f"{text} {listed}"
            if "http" in text or "www." in text:
                for url in dict.fromkeys(extract_urls(text, self.url_resolution)):
                    post.append(i)
                    keys.append(url)
        return self._keyed_channel("link", np.asarray(post, dtype=np.int64), keys)

    def _hashtags_channel(self) -> _Channel:
        post, keys = [], []
        for i, text in enumerate(self.texts_):
            if "#" in text:
                seq = hashtag_sequence(text)
                if seq.count(" ") + 1 >= self.min_hashtags:
                    post.append(i)
                    keys.append(seq)
        return self._keyed_channel("hashtags", np.asarray(post, dtype=np.int64), keys)

    def _repost_channel(self) -> _Channel:
        post = [i for i, target in enumerate(self.reposts_) if target]
        return self._keyed_channel("repost", np.asarray(post, dtype=np.int64),
                                   [self.reposts_[i] for i in post])

    # -- weights, edges, clusters ----------------------------------------------------------
    def _weigh_events(self, channel: _Channel) -> None:
        """d per event: its share of its messages' posts, its duration, and how many accounts
        posted its messages over the whole period."""
        n_events = int(channel.event.max()) + 1 if len(channel.event) else 0
        acc = self.account_codes_[channel.post]
        frame = pd.DataFrame({"event": channel.event, "key": channel.key, "acc": acc,
                              "t": self.times_[channel.post]})
        by_key = frame.groupby("key")["acc"].agg(accounts="nunique", posts="size")
        per_event = frame.groupby("event").agg(n=("acc", "nunique"), posts=("acc", "size"),
                                               t0=("t", "min"), t1=("t", "max"))
        keys = frame[["event", "key"]].drop_duplicates()
        keys = keys.join(by_key, on="key").groupby("event").agg(
            key_posts=("posts", "sum"), key_accounts=("accounts", "max"))
        per_event = per_event.join(keys).reindex(range(n_events))
        share = per_event["posts"].to_numpy(dtype=float) / per_event["key_posts"].to_numpy(dtype=float)
        duration = (per_event["t1"] - per_event["t0"]).to_numpy(dtype=float)
        d_time = np.minimum(1.0, self.burst_seconds / np.maximum(duration, 1.0))
        d_pop = np.minimum(1.0, self.popular_accounts
                           / per_event["key_accounts"].to_numpy(dtype=float))
        channel.weight = share * d_time * d_pop
        channel.n_accounts = per_event["n"].to_numpy(dtype=np.int64)

    def _pairs(self, channel: _Channel, skipped: dict[str, int]):
        """(pair key, event, d) for every pair of accounts in every weighted event."""
        n_acc = len(self.accounts_)
        multi = channel.n_accounts >= 2
        low = multi & (channel.weight < self.min_event_weight)
        big = multi & ~low & (channel.n_accounts > self.max_event_accounts)
        skipped["low_weight_events"] += int(low.sum())
        skipped["oversized_events"] += int(big.sum())
        use = multi & ~low & ~big
        rows = np.flatnonzero(use[channel.event])
        ev = channel.event[rows]
        acc = self.account_codes_[channel.post[rows]]
        order = np.lexsort((acc, ev))
        ev, acc = ev[order], acc[order]
        keys, events = [], []
        bounds = np.r_[0, np.flatnonzero(np.diff(ev)) + 1, len(ev)] if len(ev) else [0]
        for s, e in zip(bounds[:-1], bounds[1:]):
            members = np.unique(acc[s:e])
            a, b = np.triu_indices(len(members), k=1)
            keys.append(members[a] * n_acc + members[b])
            events.append(np.full(len(a), ev[s], dtype=np.int64))
        if not keys:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
        keys_arr, events_arr = np.concatenate(keys), np.concatenate(events)
        return keys_arr, events_arr, channel.weight[events_arr]

    def _edges(self, channels: list[_Channel], skipped: dict[str, int]):
        n_acc = len(self.accounts_)
        kept, pair_events = [], []
        for channel in channels:
            keys, events, weight = self._pairs(channel, skipped)
            if not len(keys):
                continue
            pairs = pd.DataFrame({"key": keys, "w": weight}).groupby("key")["w"].agg(
                weight="sum", events="size")
            a, b = pairs.index.to_numpy() // n_acc, pairs.index.to_numpy() % n_acc
            # an account's event weight: each event once, not once per partner
            ev_acc = pd.DataFrame({"ev": events, "a": keys // n_acc, "b": keys % n_acc})
            per_account = pd.concat([ev_acc[["ev", "a"]].rename(columns={"a": "acc"}),
                                     ev_acc[["ev", "b"]].rename(columns={"b": "acc"})])
            per_account = per_account.drop_duplicates()
            total = np.zeros(n_acc)
            np.add.at(total, per_account["acc"].to_numpy(),
                      channel.weight[per_account["ev"].to_numpy()])
            overlap = pairs["weight"].to_numpy() / np.sqrt(total[a] * total[b])
            good = ((pairs["events"].to_numpy() >= self.min_events)
                    & (pairs["weight"].to_numpy() >= self.min_weight)
                    & (overlap >= self.min_overlap))
            if good.any():
                kept.append(pd.DataFrame({
                    "a": a[good], "b": b[good], "weight": pairs["weight"].to_numpy()[good],
                    "events": pairs["events"].to_numpy()[good], "overlap": overlap[good],
                    "channel": channel.name}))
                hit = np.isin(keys, pairs.index.to_numpy()[good])
                pair_events.append(pd.DataFrame({"a": keys[hit] // n_acc, "b": keys[hit] % n_acc,
                                                 "event": events[hit], "channel": channel.name}))
        if kept:
            edges = pd.concat(kept).sort_values(["a", "b", "weight"], ascending=[True, True, False])
            edges = edges.drop_duplicates(["a", "b"]).reset_index(drop=True)
        else:
            edges = pd.DataFrame({"a": [], "b": [], "weight": [], "events": [], "overlap": [],
                                  "channel": []}).astype({"a": "int64", "b": "int64"})
        pair_events = (pd.concat(pair_events, ignore_index=True) if pair_events else
                       pd.DataFrame({"a": [], "b": [], "event": [], "channel": []}))
        return edges, pair_events

    def _clusters(self, channels: list[_Channel], edges: pd.DataFrame,
                  pair_events: pd.DataFrame) -> None:
        n_acc = len(self.accounts_)
        graph = sp.coo_matrix((np.ones(len(edges)), (edges["a"].to_numpy(dtype=np.int64),
                                                       edges["b"].to_numpy(dtype=np.int64))),
                              shape=(n_acc, n_acc))
        _, component = connected_components(graph, directed=False)
        in_edge = np.zeros(n_acc, dtype=bool)
        in_edge[edges["a"].to_numpy(dtype=np.int64)] = True
        in_edge[edges["b"].to_numpy(dtype=np.int64)] = True
        # cluster posts: a member's post in an event shared with another member
        rows = []
        for channel in channels:
            acc = self.account_codes_[channel.post]
            member = in_edge[acc]
            frame = pd.DataFrame({"post": channel.post[member], "event": channel.event[member],
                                  "comp": component[acc[member]], "acc": acc[member]})
            shared = frame.groupby(["event", "comp"])["acc"].transform("nunique") >= 2
            rows.append(frame.loc[shared, ["post", "comp"]])
        posts = (pd.concat(rows).drop_duplicates("post") if rows else
                 pd.DataFrame({"post": [], "comp": []}))
        posts = posts.astype({"post": "int64", "comp": "int64"})
        posts["t"] = self.times_[posts["post"].to_numpy()]
        posts["acc"] = self.account_codes_[posts["post"].to_numpy()]
        posts = posts.sort_values(["comp", "t"]).reset_index(drop=True)
        activity = np.bincount(self.account_codes_, minlength=n_acc)
        vectoriser = _vectoriser()
        records, post_cluster = [], []
        for comp, group in posts.groupby("comp", sort=False):
            t = group["t"].to_numpy()
            burst = np.r_[0, np.cumsum(np.diff(t) > self.burst_seconds)]
            members = np.unique(group["acc"].to_numpy())
            members = members[component[members] == comp]
            gaps, sims = [], []
            for b in np.unique(burst):
                sel = group[burst == b]
                if len(sel) > 1:
                    gaps.append(float(np.median(np.diff(sel["t"].to_numpy()))))
                    texts = [self.norm_[p] for p in sel["post"].to_numpy()[:200]]
                    x = vectoriser.transform(texts)
                    s = (x @ x.T).toarray()
                    n = s.shape[0]
                    sims.append(float((s.sum() - np.trace(s)) / (n * (n - 1))))
            n_bursts = int(burst.max()) + 1
            synchrony = 1.0 - min(1.0, float(np.median(gaps)) / self.window_seconds) if gaps else 0.0
            similarity = float(np.mean(sims)) if sims else 0.0
            share = len(group) / float(activity[members].sum())
            parts = [1 - 1 / len(members), 1 - 1 / n_bursts, synchrony, similarity, share]
            common = pd.Series([self.norm_[p] for p in group["post"]]).value_counts().index[0]
            representative = next(self.texts_[p] for p in group["post"]
                                  if self.norm_[p] == common)
            records.append({
                "comp": comp, "accounts": [str(self.accounts_[m]) for m in members],
                "n_accounts": int(len(members)), "n_posts": int(len(group)),
                "n_bursts": n_bursts, "first_seen": int(t.min()), "last_seen": int(t.max()),
                "representative": representative, "synchrony": round(synchrony, 4),
                "similarity": round(similarity, 4), "activity_share": round(share, 4),
                "score": round(float(np.mean(parts)), 4)})
            post_cluster.append(group.assign(burst=burst))
        clusters = pd.DataFrame(records, columns=[
            "comp", "accounts", "n_accounts", "n_posts", "n_bursts", "first_seen", "last_seen",
            "representative", "synchrony", "similarity", "activity_share", "score"])
        clusters = clusters.sort_values(["score", "n_accounts", "first_seen"],
                                        ascending=[False, False, True]).reset_index(drop=True)
        clusters.insert(0, "cluster_id", [f"C-{i + 1:04d}" for i in range(len(clusters))])
        comp_to_id = dict(zip(clusters["comp"], clusters["cluster_id"]))
        comp_to_score = dict(zip(clusters["comp"], clusters["score"]))
        self.clusters_ = clusters.drop(columns="comp")
        if post_cluster:
            cp = pd.concat(post_cluster, ignore_index=True)
        else:
            cp = pd.DataFrame({"post": [], "comp": [], "t": [], "acc": [], "burst": []})
        self.posts_ = pd.DataFrame({
            "id": self.ids_[cp["post"].to_numpy(dtype=np.int64)],
            "cluster_id": cp["comp"].map(comp_to_id).astype("string").to_numpy(),
            "score": cp["comp"].map(comp_to_score).astype(float).to_numpy(),
            "account": self.accounts_[cp["acc"].to_numpy(dtype=np.int64)].astype(str),
            "burst": cp["burst"].to_numpy(dtype=np.int64)})
        # edges with the posts behind them
        comp_a = component[edges["a"].to_numpy(dtype=np.int64)]
        behind = self._edge_posts(channels, pair_events)
        out = pd.DataFrame({
            "account_a": self.accounts_[edges["a"].to_numpy(dtype=np.int64)].astype(str),
            "account_b": self.accounts_[edges["b"].to_numpy(dtype=np.int64)].astype(str),
            "cluster_id": pd.Series(comp_a).map(comp_to_id).astype("string").to_numpy(),
            "weight": edges["weight"].round(4).to_numpy(), "events": edges["events"].to_numpy(),
            "overlap": edges["overlap"].round(4).to_numpy(), "channel": edges["channel"].to_numpy()})
        key = list(zip(edges["a"].to_numpy(dtype=np.int64), edges["b"].to_numpy(dtype=np.int64)))
        out["post_ids"] = [behind.get(k, []) for k in key]
        self.edges_ = out

    def _edge_posts(self, channels: list[_Channel], pair_events: pd.DataFrame
                    ) -> dict[tuple[int, int], list[str]]:
        """{(a, b): ids of both accounts' posts in the events they share}."""
        if not len(pair_events):
            return {}
        by_name = {c.name: c for c in channels}
        found = []
        for name, group in pair_events.groupby("channel"):
            channel = by_name[name]
            rows = pd.DataFrame({"event": channel.event, "post": channel.post,
                                 "acc": self.account_codes_[channel.post]})
            for side in ("a", "b"):
                hit = group[["a", "b", "event"]].merge(
                    rows, left_on=["event", side], right_on=["event", "acc"])
                found.append(hit[["a", "b", "post"]])
        posts = pd.concat(found).drop_duplicates()
        posts["t"] = self.times_[posts["post"].to_numpy(dtype=np.int64)]
        posts = posts.sort_values(["a", "b", "t"])
        return {(int(a), int(b)): self.ids_[g["post"].to_numpy(dtype=np.int64)].tolist()
                for (a, b), g in posts.groupby(["a", "b"], sort=False)}
