"""The overlap check's configuration: which columns of a line-item table mean what, and how
awards are matched (:class:`OverlapRules`), read from a workspace manifest's ``[overlap]``
section with every problem in it named (:func:`rules_from_manifest`,
:func:`rules_for_workspace`)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Mapping, Sequence

from geodata.problems import Text
from locales import N_

from .. import AnalysisError


#: Keys of the manifest's ``[overlap]`` section (see :func:`rules_from_manifest`).
OVERLAP_KEYS = ("table", "award_id", "recipient_id", "recipient_id_label", "recipient_id_width",
                "recipient_name", "funders", "programme", "agency", "period", "date", "amount",
                "purpose", "location", "areas", "amount_tolerance", "window_days",
                "name_normalisation", "exclude_ids", "boilerplate_recipients")
#: Words people write for a key of ``[overlap]`` → the key.
OVERLAP_ALIASES = {"program": "programme", "funder": "funders", "window": "window_days",
                   "tolerance": "amount_tolerance", "exclude": "exclude_ids",
                   "recipient": "recipient_id", "name": "recipient_name", "year": "period",
                   "fiscal_year": "period", "id": "award_id"}

#: Name normalisation steps, applied in this order whatever order the rules list them in.
NAME_STEPS = {
    "accents": N_("accents"),
    "casefold": N_("letter case"),
    "and": N_("'&' read as 'and'"),
    "strip_punctuation": N_("punctuation"),
    "legal_suffixes": N_("legal suffixes (Inc., Corp., LLC, Ltd., a trailing or leading 'The')"),
}
DEFAULT_NAME_STEPS = ("casefold", "strip_punctuation", "legal_suffixes")
#: The City of New York's own EIN: one id for 73 public bodies in the Council's disclosure.
NYC_CITY_EIN = "136400434"


@dataclass(frozen=True)
class OverlapRules:
    """Which columns of the line items mean what, and how awards are matched.

    Column names are the table's own headers. At least one of ``recipient_id`` and
    ``recipient_name`` is needed, and ``amount``. ``funders`` are columns naming who gave the
    money; each distinct non-blank value is one funder. ``period`` (fiscal year) groups the
    awards; with ``date`` (ISO dates) and ``window_days`` > 0 two awards pair when at most that
    many days apart instead of when in the same period. ``amount_tolerance`` is in the
    table's currency. ``areas`` maps a level id to the column holding that level's region id,
    for :func:`flagged_by_area`.
    """
    amount: str = "amount"
    recipient_id: str | None = None
    recipient_name: str | None = None
    funders: tuple[str, ...] = ()
    programme: str | None = None
    agency: str | None = None
    period: str | None = None
    date: str | None = None
    purpose: str | None = None
    award_id: str | None = None
    location: str | None = None
    areas: tuple[tuple[str, str], ...] = ()
    window_days: int = 0
    amount_tolerance: float = 0.0
    name_normalisation: tuple[str, ...] = DEFAULT_NAME_STEPS
    exclude_ids: tuple[str, ...] = (NYC_CITY_EIN,)
    recipient_id_width: int | None = None
    recipient_id_label: str = ""
    boilerplate_recipients: int = 5
    period_label: str = ""              # written before a period: "FY" + "2026"
    unit: str = "USD"                   # currency of the amounts
    table: str | None = None            # the workspace table whose file holds the line items

    def __post_init__(self) -> None:
        if isinstance(self.funders, str):
            object.__setattr__(self, "funders", (self.funders,))
        if isinstance(self.areas, Mapping):
            object.__setattr__(self, "areas", tuple(self.areas.items()))
        unknown = [s for s in self.name_normalisation if s not in NAME_STEPS]
        if unknown:
            raise AnalysisError(Text(N_("unknown name normalisation step(s) {steps}; the steps "
                                        "are: {known}"), steps=", ".join(unknown),
                                     known=", ".join(NAME_STEPS)))
        if self.amount_tolerance < 0 or self.window_days < 0 or self.boilerplate_recipients < 1:
            raise AnalysisError(Text(N_("amount_tolerance and window_days must be 0 or more, "
                                        "boilerplate_recipients 1 or more")))

    @property
    def area_columns(self) -> dict[str, str]:
        return dict(self.areas)

    @property
    def id_label(self) -> str:
        return self.recipient_id_label or self.recipient_id or ""

    def columns(self) -> list[str]:
        """Every column the rules name (once each)."""
        cols = [self.amount, self.recipient_id, self.recipient_name, *self.funders,
                self.programme, self.agency, self.period, self.date, self.purpose,
                self.award_id, self.location, *self.area_columns.values()]
        out: list[str] = []
        for c in cols:
            if c and c not in out:
                out.append(c)
        return out


def _text_or_none(v: Any, key: str, problems: list[Text]) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, (str, int)) and not isinstance(v, bool):
        return str(v)
    problems.append(Text(N_("[overlap]: '{key}' must be a column name (text), got {value}"),
                         key=key, value=repr(v)[:60]))
    return None


def _text_list(v: Any, key: str, problems: list[Text]) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, (str, int)) and not isinstance(v, bool):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, (str, int)) and not isinstance(x, bool)
                                          for x in v):
        problems.append(Text(N_("[overlap]: '{key}' must be a list of texts, got {value}"),
                             key=key, value=repr(v)[:60]))
        return ()
    return tuple(str(x).strip() for x in v if str(x).strip())


def _number(v: Any, key: str, problems: list[Text], *, whole: bool, lo: float,
            hi: float) -> float | None:
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and lo <= v <= hi and \
        (not whole or float(v).is_integer())
    if not ok:
        msg = N_("[overlap]: '{key}' must be a whole number from {lo} to {hi}, got {value}") \
            if whole else N_("[overlap]: '{key}' must be a number from {lo} to {hi}, got {value}")
        problems.append(Text(msg, key=key, lo=f"{lo:,g}", hi=f"{hi:,g}", value=repr(v)[:40]))
        return None
    return v


def rules_from_manifest(section: Mapping[str, Any], *, currency: str = "USD",
                        period_label: str = "",
                        level_ids: Sequence[str] | None = None) -> tuple[OverlapRules | None,
                                                                      list[Text]]:
    """The rules of a manifest's ``[overlap]`` section, and every problem found in it.

    Unknown keys name the nearest valid one; a value of the wrong type is a problem naming the
    key and is left at its default; the rules are None when the section cannot be used (no
    amount, no recipient column). ``level_ids`` checks the levels named in ``areas``.
    """
    from geodata.workspace import unknown_keys

    problems: list[Text] = []
    if not isinstance(section, Mapping):
        return None, [Text(N_("[overlap] must be a table of settings"))]
    problems += unknown_keys(dict(section), OVERLAP_KEYS, "[overlap]", aliases=OVERLAP_ALIASES)
    kw: dict[str, Any] = {}
    for key in ("award_id", "recipient_id", "recipient_name", "programme", "agency", "period",
                "date", "amount", "purpose", "location", "table", "recipient_id_label"):
        if key in section:
            v = _text_or_none(section[key], key, problems)
            if v is not None:
                kw[key] = v.strip()
    if "funders" in section:
        kw["funders"] = _text_list(section["funders"], "funders", problems)
    if "exclude_ids" in section:
        kw["exclude_ids"] = _text_list(section["exclude_ids"], "exclude_ids", problems)
    if "name_normalisation" in section:
        steps = _text_list(section["name_normalisation"], "name_normalisation", problems)
        bad = [s for s in steps if s not in NAME_STEPS]
        if bad:
            problems.append(Text(N_("[overlap]: unknown name normalisation step(s) {steps}; the "
                                    "steps are: {known}"), steps=", ".join(bad),
                                 known=", ".join(NAME_STEPS)))
        kw["name_normalisation"] = tuple(s for s in steps if s in NAME_STEPS)
    for key, whole, lo, hi in (("amount_tolerance", False, 0, 1e15),
                               ("window_days", True, 0, 36_600),
                               ("boilerplate_recipients", True, 1, 1e9),
                               ("recipient_id_width", True, 1, 64)):
        if key in section:
            v = _number(section[key], key, problems, whole=whole, lo=lo, hi=hi)
            if v is not None:
                kw[key] = int(v) if whole else float(v)
    if "areas" in section:
        areas = section["areas"]
        if not isinstance(areas, Mapping) or not all(
                isinstance(k, str) and isinstance(v, str) and v for k, v in areas.items()):
            problems.append(Text(N_("[overlap]: 'areas' must be a table of level id = column "
                                    "name, e.g. {example}"),
                                 example='{ district = "member_district" }'))
        else:
            if level_ids is not None:
                for lid in areas:
                    if lid not in level_ids:
                        problems.append(Text(N_("[overlap]: 'areas' names level {value}, which "
                                                "is not one of the levels ({levels})"),
                                             value=repr(lid), levels=", ".join(level_ids)))
            kw["areas"] = tuple((k, v.strip()) for k, v in areas.items()
                                if level_ids is None or k in level_ids)
    if not kw.get("amount"):
        problems.append(Text(N_("[overlap]: 'amount' is required: the column of the award "
                                "amounts")))
    if not kw.get("recipient_id") and not kw.get("recipient_name"):
        problems.append(Text(N_("[overlap]: name the recipient: 'recipient_id' (a column of ids "
                                "such as an EIN) or 'recipient_name', or both")))
    if not kw.get("amount") or not (kw.get("recipient_id") or kw.get("recipient_name")):
        return None, problems
    return OverlapRules(unit=currency, period_label=period_label, **kw), problems


def rules_for_workspace(ws) -> tuple[OverlapRules | None, list[Text]]:
    """The ``[overlap]`` rules of a workspace (None when it has none), with its currency and,
    when the period column is the table's fiscal year, the fiscal-year label ("FY")."""
    section = ws.settings.get("overlap")
    if section is None:
        return None, []
    rules, problems = rules_from_manifest(section, currency=ws.currency,
                                          level_ids=[lv.id for lv in ws.levels])
    if rules is None:
        return None, problems
    if rules.table is None:
        problems.append(Text(N_("[overlap]: 'table' is required: the id of the table whose "
                                "file holds the line items")))
        return None, problems
    try:
        spec = ws.table(rules.table)
    except KeyError:
        problems.append(Text(N_("[overlap]: table {value} is not one of the tables ({tables})"),
                             value=repr(rules.table),
                             tables=", ".join(s.id for s in ws.tables)))
        return None, problems
    unit = spec.unit if spec.unit and len(spec.unit) == 3 and spec.unit.isupper() else ws.currency
    label = ws.fiscal_year_label if rules.period and \
        rules.period == spec.columns.get("fiscal_year") else ""
    return replace(rules, unit=unit, period_label=label), problems
