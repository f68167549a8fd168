"""Shares of good-or-better and poor road length, and the target status of each area.

Target status rule (documented in docs/workspace-manifest.md): with ``g`` the share of rated
length good or better and ``p`` the share poor,

* **missed** when ``g < good_or_better_min`` or ``p > poor_max``;
* **at risk** when both targets are met but within the margin of failing one:
  ``g < good_or_better_min + at_risk_good_pp`` or ``p > poor_max - at_risk_poor_pp``
  (defaults 5 and 1 percentage points);
* **met** otherwise; **no data** when the area has no rated length; **no target** when the
  manifest sets none.

Each target is judged by the one target engine (:mod:`performance.targets`), its margin being
the engine's at-risk band on the met side of the target (:meth:`Targets.criteria`), and the
area takes the worse of its two statuses.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from layers.road_condition import NO_DATA
from locales import N_, t
from performance import targets as T

from .aggregate import LENGTH_COLUMNS
from .config import Targets
from .text import lower_first, share_text

STATUS_ORDER = ("met", "at risk", "missed")
_STATUS_SENTENCES = {T.MET: N_("Target met."), T.AT_RISK: N_("Target at risk."),
                     T.MISSED: N_("Target missed.")}


def target_statuses(good_share, poor_share, targets: Targets) -> np.ndarray:
    """met / at risk / missed per area (shares in %), by the rule in the module docstring:
    each target judged by the engine, the area taking the worse; a share that cannot be
    computed while the other can does not count against the area."""
    g = np.asarray(good_share, dtype="float64")
    p = np.asarray(poor_share, dtype="float64")
    if not targets.any:
        return np.full(g.shape, T.NO_TARGET, dtype=object)
    shares = {"good_share": g, "poor_share": p}
    judged = [T.judge(shares[col], met, risk, direction)
              for col, met, risk, direction in targets.criteria()]
    out = T.worst_each(*judged, empty=T.MET)
    out[np.isnan(g) & np.isnan(p)] = T.NO_DATA
    return out


def target_status(good_share: float, poor_share: float, targets: Targets) -> str:
    """met / at risk / missed for one area (shares in %), by the rule in the module docstring."""
    return str(target_statuses([good_share], [poor_share], targets)[0])


def with_status(table: pd.DataFrame, targets: Targets) -> pd.DataFrame:
    """Add ``good_share``, ``poor_share``, ``no_data_share`` (%) and ``status``."""
    out = table.copy()
    rated = out["rated"].where(out["rated"] > 0)
    out["good_share"] = out["good_or_better"] / rated * 100
    out["poor_share"] = out["poor"] / rated * 100
    total = out["total"].where(out["total"] > 0)
    out["no_data_share"] = out[NO_DATA] / total * 100
    out["status"] = target_statuses(out["good_share"].to_numpy(dtype="float64", na_value=np.nan),
                                    out["poor_share"].to_numpy(dtype="float64", na_value=np.nan),
                                    targets).tolist()
    return out


@dataclass(frozen=True)
class RegionFigure:
    miles: float
    rated: float
    good_share: float
    poor_share: float
    no_data: float
    status: str

    def sentence(self, road_class: str, targets: Targets, unit_word: str = "miles") -> str:
        """The budget sentence: "77.7% of interstate miles are in good or better condition
        against a target of 80%. 4.3% are poor against a maximum of 2%. Target missed."
        Shares read as in the KPIs (:func:`share_text`)."""
        what = f"{lower_first(road_class)} {unit_word}"
        if not self.rated:
            return t("No rated {what}: no length has a condition score.", what=what)
        good, poor = share_text(self.good_share), share_text(self.poor_share)
        if targets.good_or_better_min is not None:
            parts = [t("{share} of {what} are in good or better condition against a target of "
                       "{target}%.", share=good, what=what,
                       target=f"{targets.good_or_better_min:g}")]
        else:
            parts = [t("{share} of {what} are in good or better condition.", share=good,
                       what=what)]
        if targets.poor_max is not None:
            parts.append(t("{share} are poor against a maximum of {target}%.", share=poor,
                           target=f"{targets.poor_max:g}"))
        else:
            parts.append(t("{share} are poor.", share=poor))
        if self.status in _STATUS_SENTENCES:
            parts.append(t(_STATUS_SENTENCES[self.status]))
        return join_sentences(parts)


def join_sentences(parts: list[str]) -> str:
    """Sentences one after the other: a space after a full stop, none after "。"."""
    out = ""
    for p in parts:
        out += p if not out or out.endswith(("。", "！", "？")) else " " + p
    return out


def region_figure(table: pd.DataFrame, targets: Targets) -> RegionFigure:
    """The region-wide figure: sums over areas (weighted by length), then shares."""
    s = table[[*LENGTH_COLUMNS, NO_DATA]].sum(min_count=1)
    rated = float(s["rated"] or 0.0)
    g = float(s["good_or_better"]) / rated * 100 if rated else float("nan")
    p = float(s["poor"]) / rated * 100 if rated else float("nan")
    return RegionFigure(miles=float(s["total"] or 0.0), rated=rated, good_share=g, poor_share=p,
                        no_data=float(s[NO_DATA] or 0.0), status=target_status(g, p, targets))
