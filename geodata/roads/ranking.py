"""Where to invest: areas ranked so the worst road condition with the least money comes first."""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

def invest_ranking(table: pd.DataFrame, funding: pd.Series, population: pd.Series,
                   names: Mapping[str, str], *, per: str = "mile", unit: str = "mi") -> pd.DataFrame:
    """Areas with rated road length, ranked so the worst condition with the least money comes
    first.

    ``table`` comes from :func:`with_status`. ``per`` is ``"mile"`` (funding per mile of road in
    the area) or ``"resident"``. The priority is the mean of two percentile ranks (0–100): the
    share of poor miles (higher = worse) and the funding measure (lower = less money); ties are
    broken by the larger share of poor miles. Columns keep their machine names (``total`` and
    ``poor`` are lengths in ``unit``); :mod:`geodata.roads.tables` labels them for readers.
    """
    t = table[table["rated"].fillna(0) > 0].copy()
    ids = t.index.astype(str)
    t["name"] = [names.get(r, r) for r in ids]
    t["funding"] = funding.reindex(ids).fillna(0.0).to_numpy()
    t["population"] = population.reindex(ids).to_numpy()
    word = "mile" if unit == "mi" else "km"
    t[f"funding_per_{word}"] = t["funding"] / t["total"].where(t["total"] > 0)
    t["funding_per_resident"] = t["funding"] / t["population"].where(t["population"] > 0)
    money = t[f"funding_per_{word}"] if per == "mile" else t["funding_per_resident"]
    need = t["poor_share"].rank(pct=True, method="average") * 100          # worst → 100
    little = (1 - money.rank(pct=True, method="average")) * 100             # least money → high
    t["priority"] = ((need + little.fillna(50.0)) / 2).round(1)   # unknown money: neutral
    t = t.sort_values(["priority", "poor_share"], ascending=[False, False])
    t.insert(0, "rank", np.arange(1, len(t) + 1))
    cols = ["rank", "name", "total", "poor", "poor_share", "good_share", "status", "funding",
            f"funding_per_{word}", "funding_per_resident", "population", "priority"]
    out = t.reset_index()[[cols[0], cols[1], "region_id", *cols[2:]]]
    return out


