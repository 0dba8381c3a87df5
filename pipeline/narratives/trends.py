"""Spikes in weekly counts: a Poisson test against the mean of the preceding weeks."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import poisson


def weekly_spikes(series: pd.DataFrame, window: int, alpha: float,
                  min_count: int) -> pd.DataFrame:
    """`series` has columns kind, key, period (week start, ISO date), documents. Returns the
    weeks whose count is improbably high under Poisson(mean of the previous `window` weeks,
    at least 0.5), with at least `min_count` documents and at least 3 weeks of history."""
    out = []
    for (kind, key), group in series.groupby(["kind", "key"], sort=True):
        weeks = pd.to_datetime(group["period"])
        counts = pd.Series(group["documents"].to_numpy(), index=weeks).groupby(level=0).sum()
        full = pd.date_range(counts.index.min(), counts.index.max(), freq="7D")
        counts = counts.reindex(full, fill_value=0)
        baseline = counts.shift(1).rolling(window, min_periods=3).mean()
        for week, n, mu in zip(counts.index, counts.to_numpy(), baseline.to_numpy()):
            if np.isnan(mu) or n < min_count:
                continue
            p = float(poisson.sf(n - 1, max(mu, 0.5)))
            if p < alpha:
                out.append({"kind": kind, "key": key, "week": week.strftime("%Y-%m-%d"),
                            "documents": int(n), "baseline": round(float(mu), 3),
                            "p_value": p})
    return pd.DataFrame(out, columns=["kind", "key", "week", "documents", "baseline",
                                      "p_value"])
