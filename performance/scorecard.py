"""The scorecard: every region's indicators against their targets, beside the money.

:func:`build_scorecard` is the one recipe the Scorecard page (and its CSV) reads. For a level
and a year it gives, for each region and each indicator of the level, the value of that year,
its target, its status (the rule of :mod:`performance.targets`), its trend over the last years,
and the money per resident that went to the region in the same (fiscal) year — taken from
:func:`geodata.dataset.map_values`, so it is the very number the Per capita map shows.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geodata.dataset import MeasureSpec, WorkspaceData, map_values
from geodata.load import relative_name
from geodata.problems import Problem
from layers.classify import format_number
from layers.status_map import STATUS_COLOURS, status_view
from layers.palettes import NO_DATA_COLOUR, text_colour_for
from locales import LANGUAGES, t, use

from . import targets as T

COLUMNS = ("region_id", "name", "indicator", "year", "value", "unit", "target", "direction",
           "at_risk", "status", "trend", "change", "money_per_resident")


@dataclass(frozen=True)
class Scorecard:
    level: str
    year: int
    frame: pd.DataFrame                       # one row per region × indicator (COLUMNS)
    indicators: tuple[str, ...]
    sentences: dict[str, str]                 # indicator → "14 of 51 states kept …"
    rules: dict[str, str]                     # indicator → the rule in one sentence
    class_rules: dict[str, dict[str, str]]    # indicator → {"met": "≤ 5%", …} for the legend
    counts: pd.DataFrame                      # indicator × status
    money_label: str = ""
    money_unit: str = ""
    trend_years: int = 5
    notes: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = field(default=())

    @property
    def judged(self) -> tuple[str, ...]:
        """The indicators with at least one region met, at risk or missed this year."""
        c = self.counts.set_index("indicator")
        return tuple(i for i in self.indicators
                     if i in c.index and int(c.loc[i, list(T.JUDGED)].sum()) > 0)

    @property
    def with_target(self) -> tuple[str, ...]:
        """The indicators with a target for at least one region this year."""
        c = self.counts.set_index("indicator")
        return tuple(i for i in self.indicators
                     if i in c.index and int(c.loc[i, [*T.JUDGED, T.NO_DATA]].sum()) > 0)


def scorecard_levels(data: WorkspaceData) -> list[str]:
    """The levels that have an indicators table, in the manifest's order."""
    return [lv.id for lv in data.ws.levels if data.ws.tables_of("indicators", lv.id)]


def scorecard_years(data: WorkspaceData, level: str) -> list[int]:
    """Every year with an indicator value at the level, oldest first."""
    cat = data.indicator_catalogue(level)
    return sorted({y for info in cat.values() for y in info["years"]})


def default_year(data: WorkspaceData, level: str) -> int | None:
    """The year a scorecard opens on: the latest in which every indicator with a target has
    values at the level (else the latest in which most of them do, else the latest year)."""
    years = scorecard_years(data, level)
    if not years:
        return None
    rules, _ = target_rules(data)
    cat = data.indicator_catalogue(level)
    judged = [set(info["years"]) for name, info in cat.items() if name in rules]
    if not judged:
        return years[-1]
    return max(years, key=lambda y: (sum(y in ys for ys in judged), y))


def target_rules(data: WorkspaceData) -> tuple[dict[str, T.TargetRule], list[Problem]]:
    """The manifest's ``[targets]`` rules and its problems (as Problems of workspace.toml)."""
    rules, msgs = T.parse_targets(data.ws.settings.get("targets"))
    return rules, [Problem("error", "workspace.toml", m, code="targets_config") for m in msgs]


def _money(data: WorkspaceData, level: str, year: int, table: str | None
           ) -> tuple[pd.Series | None, str, str, list[str]]:
    """Money per resident by region in ``year`` from :func:`map_values` (None when there is
    no allocations table or population at the level), its label, unit and notes."""
    tables = [t.id for t in data.allocation_tables(level)]
    if table is None:
        table = tables[0] if tables else None
    if table is None:
        return None, "", "", [t("No allocations table at this level: money per resident is "
                                "not shown.")]
    if data.population(level).empty:
        return None, "", "", [t("No population table at this level: money per resident is "
                                "not shown.")]
    fy = data.ws.fiscal_year_label
    first, last = data.years(table)
    notes = []
    if not first <= year <= last:
        notes.append(t("{table} runs {first}–{last}: no money per resident for {year}.",
                       table=data.ws.table(table).display_label, first=f"{fy}{first}",
                       last=f"{fy}{last}", year=f"{fy}{year}"))
    mv = map_values(data, MeasureSpec(level=level, measure="per_capita", table=table,
                                      span=(int(year), int(year))))
    if data.ws.fiscal_year_start_month != 1:
        notes.append(t("Money of {fiscal_year} ({runs}) beside the indicator values of {year}.",
                       fiscal_year=f"{fy}{year}", runs=data.ws.fiscal_year_text(),
                       year=str(year)))
    return mv.values, mv.label, mv.unit, notes + list(mv.notes)


def build_scorecard(data: WorkspaceData, level: str, year: int, *, table: str | None = None,
                    trend_years: int = 5) -> Scorecard:
    """The scorecard of one level and year (see the module docstring).

    Every region of the level appears with every indicator of the level: a region without a
    value that year is "no data" (or "no target" when it has no target to miss either).
    ``table``: the allocations table of the money (default: the level's first).
    """
    ws = data.ws
    year = int(year)
    rules, problems = target_rules(data)
    names = data.names(level)
    region_ids = list(names)
    ind = data.indicators(level)
    cat = data.indicator_catalogue(level)
    indicators = tuple(cat)
    files = {spec.id: relative_name(ws, spec.file) for spec in ws.tables_of("indicators", level)}
    columns = {spec.id: spec.columns.get("direction", "direction")
               for spec in ws.tables_of("indicators", level)}
    everywhere = {name for lv in scorecard_levels(data)
                  for name in data.indicator_catalogue(lv)}
    problems += T.indicator_problems(ind, rules, files=files, columns=columns, known=everywhere)

    known = ind[ind["region_id"].isin(region_ids) & ind["indicator"].notna()]
    rows = known[known["year"] == year].drop_duplicates(["region_id", "indicator"])
    grid = pd.DataFrame([(r, i) for i in indicators for r in region_ids],
                        columns=["region_id", "indicator"])
    grid = grid.merge(rows.drop(columns=["year"]), on=["region_id", "indicator"], how="left")
    grid["year"] = year
    # Regions without a row this year take the indicator's unit and direction, so the rule
    # still tells "no data" (a target to miss) from "no target".
    for col in ("unit", "direction"):
        fill = grid["indicator"].map({k: v[col] or None for k, v in cat.items()})
        grid[col] = grid[col].astype("string").fillna(fill.astype("string")) \
            if col in grid else fill.astype("string")
    if "_bad_target" in grid:
        grid["_bad_target"] = grid["_bad_target"].astype("boolean").fillna(False).astype(bool)
    now = T.evaluate(grid, rules)

    history = T.evaluate(known, rules)
    tr = T.trend(history, year, years=trend_years)
    frame = now.merge(tr[["region_id", "indicator", "trend", "change"]],
                      on=["region_id", "indicator"], how="left")
    frame["trend"] = frame["trend"].fillna(T.NO_TREND)
    frame.insert(1, "name", frame["region_id"].map(names))

    money, money_label, money_unit, notes = _money(data, level, year, table)
    frame["money_per_resident"] = frame["region_id"].map(money) if money is not None \
        else np.nan
    outside = ind[~ind["region_id"].isin(region_ids) & (ind["year"] == year)]
    if len(outside):
        notes.append(t("{n} indicator value(s) of {year} have a region id that is not in this "
                       "boundary layer; they are left out of the scorecard.",
                       n=f"{len(outside):,}", year=str(year)))

    plural, label = ws.level(level).plural, ws.level(level).label
    sentences, rule_texts, class_rules = {}, {}, {}
    for name in indicators:
        rule = rules.get(name)
        unit = cat[name]["unit"]
        sel = now[now["indicator"] == name]
        dirs = [d for d in sel["direction"].unique() if d]
        direction = dirs[0] if len(dirs) == 1 else ""
        sentences[name] = T.sentence(now, name, year, plural=plural, singular=label,
                                     rule=rule, unit=unit)
        used = sel["target"].dropna().unique()
        at_risk = rule.at_risk if rule else 0.0
        target = float(used[0]) if len(used) == 1 else None
        if not len(used):
            rule_texts[name], class_rules[name] = t("No target set: not judged."), {}
        else:
            rule_texts[name] = T.rule_sentence(target, direction, at_risk, unit)
            class_rules[name] = T.rule_text(target, direction, at_risk, unit) \
                if direction else {}
    return Scorecard(level=level, year=year, frame=frame[list(COLUMNS)].reset_index(drop=True),
                     indicators=indicators, sentences=sentences, rules=rule_texts,
                     class_rules=class_rules, counts=T.counts(now, by=("indicator",)),
                     money_label=money_label, money_unit=money_unit, trend_years=trend_years,
                     notes=tuple(notes), problems=tuple(problems))


# --------------------------------------------------------------------------- what the page shows

def status_table(sc: Scorecard, *, currency: str = "") -> pd.DataFrame:
    """Regions × indicators: a status cell per indicator ("met · 4.2%", the status in the
    run's language), with the money per resident first. Regions in the boundary layer's
    order."""
    f = sc.frame
    out = f.drop_duplicates("region_id")[["region_id", "name", "money_per_resident"]] \
        .rename(columns={"money_per_resident": "money per resident"}).reset_index(drop=True)
    for name in sc.indicators:
        sel = f[f["indicator"] == name].set_index("region_id")
        cell = [T.status_word(s) if pd.isna(v) else f"{T.status_word(s)} · {format_number(v, u)}"
                for s, v, u in zip(sel["status"], sel["value"], sel["unit"])]
        out[name] = out["region_id"].map(pd.Series(cell, index=sel.index))
    return out


def _status_of(word: str) -> str:
    """The status code of a status in words (in any of the app's languages: a table may be
    styled outside the run that wrote it), or of the code itself."""
    if word in T.STATUS_LABELS:
        return word
    for lang in LANGUAGES:
        with use(lang):
            code = next((c for c in T.STATUS_LABELS if T.status_word(c) == word), None)
        if code is not None:
            return code
    return word


def status_colour(cell: object) -> str:
    """CSS for a status cell: its status's map colour (and a text colour that reads on it)."""
    text = str(cell) if isinstance(cell, str) else ""
    status = _status_of(text.split(" · ", 1)[0])
    colour = STATUS_COLOURS.get(status, NO_DATA_COLOUR if status == T.NO_DATA else None)
    if colour is None:
        return ""
    return f"background-color: {colour}; color: {text_colour_for(colour)}"


def styled(table: pd.DataFrame, status_columns, money_unit: str = ""):
    """A table as a pandas Styler: each status cell in its map colour, money formatted."""
    currency = money_unit.split(" ")[0] if money_unit else ""
    money = [c for c in table.columns if str(c).startswith("money")]
    numbers = [c for c in table.columns if c not in money and
               pd.api.types.is_float_dtype(table[c])]
    formats = {c: (lambda x: format_number(x, currency)) for c in money}
    formats.update({c: (lambda x: "—" if pd.isna(x) else f"{x:,.6g}") for c in numbers})
    return table.style.map(status_colour, subset=list(status_columns)).format(formats)


def styled_status_table(sc: Scorecard):
    """:func:`status_table` with each status cell in its colour (the page's main table)."""
    return styled(status_table(sc), sc.indicators, sc.money_unit)


def indicator_table(sc: Scorecard, indicator: str) -> pd.DataFrame:
    """One indicator for every region: value, target, status, trend and money, worst first."""
    f = sc.frame[sc.frame["indicator"] == indicator]
    order = {s: i for i, s in enumerate((T.MISSED, T.AT_RISK, T.MET, T.NO_DATA, T.NO_TARGET))}
    f = f.assign(_o=f["status"].map(order)).sort_values(["_o", "name"], kind="stable")
    return f[["region_id", "name", "value", "unit", "target", "status", "trend", "change",
              "money_per_resident"]].reset_index(drop=True)


def styled_indicator_table(sc: Scorecard, indicator: str):
    """:func:`indicator_table` with the status and the trend in words (the run's language)
    and the status cells in their colours."""
    table = indicator_table(sc, indicator)
    table = table.assign(status=table["status"].map(T.status_word),
                         trend=table["trend"].map(T.trend_word))
    return styled(table, ["status"], sc.money_unit)


def status_map_view(sc: Scorecard, indicator: str, region_ids, *, selected: str | None = None):
    """The status map of one indicator (layers.status_map), tooltips with value, target and
    trend."""
    f = sc.frame[sc.frame["indicator"] == indicator].set_index("region_id")
    f = f[~f.index.duplicated()].reindex([str(r) for r in region_ids])
    rows = ((t("Value"), [format_number(v, u if isinstance(u, str) else "")
                          for v, u in zip(f["value"], f["unit"])]),
            (t("Target"), [format_number(x, u if isinstance(u, str) else "")
                           if pd.notna(x) else "—" for x, u in zip(f["target"], f["unit"])]),
            (t("Trend, last {n} years", n=str(sc.trend_years)),
             [T.trend_word(x) for x in f["trend"]]))
    return status_view(list(f.index), f["status"],
                       title=t("{indicator}: target status, {year}", indicator=indicator,
                               year=str(sc.year)),
                       rule=sc.rules.get(indicator, ""),
                       class_rules=sc.class_rules.get(indicator), tooltip_rows=rows,
                       selected=selected)


def scorecard_csv_frame(sc: Scorecard) -> pd.DataFrame:
    """The long frame with the rule of each indicator, for the CSV download."""
    return sc.frame.assign(rule=sc.frame["indicator"].map(sc.rules),
                           money_unit=sc.money_unit)
