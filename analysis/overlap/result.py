"""What the check found (:class:`OverlapResult`), what it left out, and its totals in
sentences (:func:`summary_lines`)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geodata.problems import Text, count
from layers.numbers import format_number
from locales import N_, t

from .rules import OverlapRules


MATCHED_ON = {"id": N_("recipient id"), "name": N_("recipient name"),
              "shared": N_("recipient name (shared id set aside)")}
MATCHED_KINDS = np.array(["id", "name", "shared"], dtype=object)


@dataclass(frozen=True)
class ExcludedRows:
    """Line items left out of the check, and why (one reason per entry)."""
    reason: Text
    rows: int
    amount: float                   # their money (NaN when the amounts are what is unreadable)


@dataclass(frozen=True)
class OverlapResult:
    """What :func:`check_overlap` found. Frames are ranked by money, largest first. ``method``
    and ``problems`` follow the reader's language wherever they are shown; the ``why`` column
    of ``pairs`` is in the language of the run that made it (:func:`why_texts` gives it again
    in the reader's, as :func:`export_frames` does)."""
    multi_funded: pd.DataFrame      # recipient × period with >1 funder or programme
    pairs: pd.DataFrame             # near-duplicate award pairs, each with ``why``
    boilerplate: pd.DataFrame       # purpose texts written for many recipients
    items: pd.DataFrame             # one row per line item: key, period, flags, areas
    totals: dict[str, float]
    method: Text
    excluded: tuple[ExcludedRows, ...]
    problems: tuple[Text, ...]
    rules: OverlapRules = field(repr=False, default_factory=OverlapRules)

    @property
    def n_excluded(self) -> int:
        """Line items left out, all reasons together."""
        return sum(e.rows for e in self.excluded)


def summary_lines(result: OverlapResult) -> list[str]:
    """The totals as sentences for the page and the export's header, in the reader's
    language."""
    s, unit = result.totals, result.rules.unit
    return [
        t("{rows} line items checked ({amount}), {recipients} recipients.",
          rows=count(s["rows_checked"]), amount=format_number(s["amount"], unit),
          recipients=count(s["recipients"])),
        t("{n} recipient-period(s) funded by more than one funder or programme: {awards} "
          "awards, {amount}.", n=count(s["multi_funded"]), awards=count(s["multi_funded_awards"]),
          amount=format_number(s["multi_funded_amount"], unit)),
        t("{pairs} near-duplicate pair(s) covering {awards} awards ({amount}); {identical} "
          "pair(s) identical in every column but the award id.", pairs=count(s["pairs"]),
          awards=count(s["pair_awards"]), amount=format_number(s["pair_amount"], unit),
          identical=count(s["identical_pairs"])),
    ]
