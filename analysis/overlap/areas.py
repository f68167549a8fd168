"""The flagged money by area: sums per region of a level (:func:`flagged_by_area`), and the
map of them as the Analysis page and every export draw it (:func:`overlap_map`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np
import pandas as pd

from geodata.problems import Text
from layers.choropleth import build_choropleth
from layers.numbers import format_number, unit_label
from locales import N_, t

from .. import AnalysisError, AnalysisMap
from .check import check_workspace
from .result import OverlapResult

if TYPE_CHECKING:
    from geodata.dataset import WorkspaceData

#: What the map by area shows (message ids): the money of awards in near-duplicate pairs, or
#: of awards to recipients funded more than once (each award once, in its own line's area).
AREA_MEASURES = {"pair_amount": N_("Money in possible duplicate awards"),
                 "multi_amount": N_("Money to recipients funded more than once")}
#: The total of :attr:`OverlapResult.totals` each measure's map and not-placed money add up to.
AREA_TOTALS = {"pair_amount": "pair_amount", "multi_amount": "multi_funded_amount"}
#: What a workspace without an ``[overlap]`` section is told (field: the section's name).
NO_LINE_ITEMS = N_("This workspace has no line-item table to check: an {section} section in "
                   "its manifest names the table and its columns (the NYC Council demo "
                   "workspace has one).")
#: Region ids named in a note about money whose area is not on the map (the rest counted).
SHOWN_IDS = 5


@dataclass(frozen=True)
class AreaFlags:
    """Flagged money per area of one level, and what has no area (so the totals reconcile)."""
    level: str
    column: str
    values: pd.DataFrame            # index region_id: pair_awards, pair_amount, multi_recipients,
                                    # multi_awards, multi_amount
    not_placed: dict[str, float]    # the same measures for line items with no area
    method: str


def flagged_by_area(result: OverlapResult, level: str) -> AreaFlags:
    """The flagged money of ``result`` summed by the areas of ``level`` (the column the rules'
    ``areas`` give for it): awards in near-duplicate pairs and their money (each award once),
    and awards to recipients funded more than once. Line items with a blank area are counted
    in ``not_placed``; area ids are as written (the map's join reports ids it does not know)."""
    col = result.rules.area_columns.get(level)
    if col is None:
        raise AnalysisError(Text(N_("The overlap rules give no area column for level {level}; "
                                    "add it to 'areas' (e.g. {example})."), level=repr(level),
                                 example=f'{level} = "<column>"'))
    it = result.items[result.items["usable"]]
    area = it[f"area:{level}"].astype(str)
    placed = (area != "").to_numpy()
    pair = it["in_pair"].to_numpy()
    multi = it["multi_funded"].to_numpy()
    frame = pd.DataFrame({
        "region_id": area.to_numpy(dtype=object),
        "pair_awards": pair.astype(np.int64),
        "pair_amount": np.where(pair, it["amount"], 0.0),
        "multi_key": np.where(multi, it["key"], -1),
        "multi_awards": multi.astype(np.int64),
        "multi_amount": np.where(multi, it["amount"], 0.0),
    })

    def sums(f: pd.DataFrame) -> pd.DataFrame:
        g = f.groupby("region_id", sort=True)
        out = g[["pair_awards", "pair_amount", "multi_awards", "multi_amount"]].sum()
        keys = f[f["multi_key"] >= 0].groupby("region_id")["multi_key"].nunique()
        out.insert(2, "multi_recipients", keys.reindex(out.index, fill_value=0).astype(np.int64))
        return out

    values = sums(frame[placed])
    values = values[(values["pair_awards"] > 0) | (values["multi_awards"] > 0)]
    rest_f = frame[~placed]
    rest = {"pair_awards": int(rest_f["pair_awards"].sum()),
            "pair_amount": float(rest_f["pair_amount"].sum()),
            "multi_recipients": int(rest_f.loc[rest_f["multi_key"] >= 0, "multi_key"].nunique()),
            "multi_awards": int(rest_f["multi_awards"].sum()),
            "multi_amount": float(rest_f["multi_amount"].sum())}
    method = t("Flagged money by {level} ({column}): each award counted once, in the area of "
               "its own line item; line items with no area are counted as not placed.",
               level=level, column=col)
    values = values.sort_values(["pair_amount", "multi_amount"], ascending=False, kind="stable")
    return AreaFlags(level=level, column=col, values=values, not_placed=rest, method=method)


def overlap_map(data: "WorkspaceData", level: str, measure: str, region_ids: Sequence[str], *,
                result: OverlapResult | None = None) -> AnalysisMap:
    """The flagged money of the overlap check by the regions of ``level`` (``region_ids``: the
    layer's features, in order), ``measure`` one of :data:`AREA_MEASURES`: the map the
    Analysis page draws and every export prints. ``result`` is the check's result when the
    caller holds it (the app's cache); without it the workspace's table is checked here.

    The method statement is the matching rules in words (columns, window, name normalisation)
    and how the money is placed. Money the map cannot place is stated in the notes, so that
    the map and the notes add up to the flagged total: line items with a blank area, and line
    items whose area id is not one of ``region_ids``. Refuses (:class:`analysis.AnalysisError`)
    a workspace without line items, a level the rules give no area column for, and an unknown
    measure.
    """
    ws = data.ws
    if measure not in AREA_MEASURES:
        raise AnalysisError(Text(N_("The map of overlapping funding shows {known}, not "
                                    "{value}."), known=", ".join(AREA_MEASURES),
                                 value=repr(measure)))
    if result is None:
        result = check_workspace(ws)
        if result is None:
            raise AnalysisError(Text(NO_LINE_ITEMS, section="[overlap]"))
    flags = flagged_by_area(result, level)
    unit = result.rules.unit
    ids = [str(r) for r in region_ids]
    values = flags.values[measure].astype(float)
    on_map = values.index.isin(ids)
    label = _in_sentence(ws.level(level).label if level in {lv.id for lv in ws.levels}
                         else level)
    view = build_choropleth(ids, values[on_map], title=t(AREA_MEASURES[measure]), unit=unit,
                            subtitle=unit_label(unit), k=5, palette="YlOrRd")
    notes = []
    blank = flags.not_placed.get(measure, 0.0)
    if blank:
        notes.append(t("{amount} of it is in line items with no {level} (not placed on the "
                       "map).", amount=format_number(blank, unit), level=label))
    elsewhere = values[~on_map & (values != 0)]
    if len(elsewhere):
        shown = ", ".join(elsewhere.index[:SHOWN_IDS])
        if len(elsewhere) > SHOWN_IDS:
            shown = t("{shown} and {n} more", shown=shown, n=f"{len(elsewhere) - SHOWN_IDS:,}")
        notes.append(t("{amount} of it is in line items whose {level} is not one of the map's "
                       "regions ({ids}; not placed on the map).",
                       amount=format_number(float(elsewhere.sum()), unit), level=label,
                       ids=shown))
    try:
        files = (str(ws.table(result.rules.table).file),) if result.rules.table else ()
    except KeyError:                 # rules of another table than this workspace's
        files = ()
    return AnalysisMap(view=view, title=view.title,
                       subtitle=t("{unit}, by {level}", unit=unit_label(unit),
                                  level=label),
                       methodology=t("{sentence} {next_sentence}", sentence=str(result.method),
                                     next_sentence=flags.method),
                       files=files, notes=tuple(notes))


def _in_sentence(label: str) -> str:
    """A level's label inside a sentence: "Council district" → "council district"; an acronym
    ("ZIP area") stays as written."""
    if len(label) > 1 and label[0].isupper() and label[1].islower():
        return label[0].lower() + label[1:]
    return label
