"""The result as tables ready for CSV, with column headers and yes/no cells in the reader's
language."""
from __future__ import annotations

import numpy as np
import pandas as pd

from locales import N_, t

from .areas import AreaFlags
from .result import MATCHED_ON, OverlapResult
from .why import why_texts


#: Column labels of the exported tables (message ids; :func:`export_frames` translates them).
COLUMN_LABELS = {
    "recipient_name": N_("Recipient"),
    "recipient_id": N_("Recipient id"),
    "matched_on": N_("Matched on"),
    "period": N_("Period"),
    "awards": N_("Number of awards"),
    "amount": N_("Amount"),
    "funders_n": N_("Distinct funders"),
    "funders": N_("Funders (list)"),
    "programmes_n": N_("Distinct programmes"),
    "programmes": N_("Programmes (list)"),
    "agencies_n": N_("Distinct agencies"),
    "agencies": N_("Agencies (list)"),
    "award_a": N_("Award A"),
    "award_b": N_("Award B"),
    "amount_a": N_("Amount A"),
    "amount_b": N_("Amount B"),
    "amount_at_issue": N_("Amount at issue"),
    "funder_a": N_("Funder A"),
    "funder_b": N_("Funder B"),
    "programme_a": N_("Programme A"),
    "programme_b": N_("Programme B"),
    "location_a": N_("Location A"),
    "location_b": N_("Location B"),
    "line_a": N_("Line A"),
    "line_b": N_("Line B"),
    "days_apart": N_("Days apart"),
    "same_amount": N_("Same amount"),
    "same_purpose": N_("Same purpose text"),
    "boilerplate_purpose": N_("Boilerplate purpose"),
    "same_funder": N_("Same funder"),
    "same_programme": N_("Same programme"),
    "identical": N_("Identical except the award id"),
    "why": N_("Why it matched"),
    "purpose": N_("Purpose text"),
    "recipients": N_("Number of recipients"),
    "rows": N_("Number of line items"),
    "reason": N_("Reason left out"),
    "region_id": N_("Region"),
    "pair_awards": N_("Awards in near-duplicate pairs"),
    "pair_amount": N_("Money in near-duplicate pairs"),
    "multi_recipients": N_("Recipients funded more than once"),
    "multi_awards": N_("Awards to recipients funded more than once"),
    "multi_amount": N_("Money to recipients funded more than once"),
}
#: Titles of the tables :func:`export_frames` gives (message ids).
EXPORT_TITLES = {
    "recipients": N_("Recipients funded more than once"),
    "pairs": N_("Possible duplicate awards"),
    "boilerplate": N_("Boilerplate purpose texts"),
    "excluded": N_("Line items left out"),
    "areas": N_("Flagged money by region"),
}


def export_frames(result: OverlapResult,
                  areas: AreaFlags | None = None) -> dict[str, pd.DataFrame]:
    """The result as tables ready for CSV: ``recipients`` (funded more than once), ``pairs``,
    ``boilerplate`` and ``excluded`` (and ``areas`` when given), with column headers and the
    matched-on and yes/no cells in the reader's language; data (names, ids, purposes) as
    written."""
    yes, no = t("yes"), t("no")
    pairs = result.pairs.copy()
    if len(pairs):
        pairs["why"] = why_texts(result.rules, pairs)
    excluded = pd.DataFrame([{"reason": str(e.reason), "rows": e.rows, "amount": e.amount}
                             for e in result.excluded], columns=["reason", "rows", "amount"])

    def labelled(frame: pd.DataFrame) -> pd.DataFrame:
        f = frame[[c for c in frame.columns if not str(c).startswith("_")]].copy()
        if "matched_on" in f:
            f["matched_on"] = f["matched_on"].map(lambda v: t(MATCHED_ON.get(v, v)))
        for c in ("same_amount", "same_purpose", "same_funder", "same_programme",
                  "boilerplate_purpose", "identical"):
            if c in f:
                f[c] = np.where(f[c].astype(bool), yes, no)
        return f.rename(columns={c: t(COLUMN_LABELS[c]) for c in f.columns if c in COLUMN_LABELS})

    out = {"recipients": labelled(result.multi_funded), "pairs": labelled(pairs),
           "boilerplate": labelled(result.boilerplate), "excluded": labelled(excluded)}
    if areas is not None:
        out["areas"] = labelled(areas.values.reset_index())
    return out
