"""How road figures read: lengths to one decimal with their unit, shares as percentages,
target statuses in words. Every screen, legend, tooltip and export of the Roads page formats
through these, so one figure reads the same everywhere ("18.9 mi" in the legend and the KPI).
"""
from __future__ import annotations

import math

from layers.classify import format_number
from locales import N_, t

#: Target statuses in words, worst first (the order of every list of areas).
STATUS_LABELS = {"missed": N_("Missed"), "at risk": N_("At risk"), "met": N_("Met"),
                 "no data": N_("No data"), "no target": N_("No target")}
STATUS_WORST_FIRST = tuple(STATUS_LABELS)


def _missing(x) -> bool:
    try:
        return x is None or not math.isfinite(float(x))
    except (TypeError, ValueError):
        return True


def length_text(x: float | None, unit: str = "mi") -> str:
    """"18.9 mi" (one decimal, thousands separated); "No data" when missing."""
    if _missing(x):
        return t("No data")
    n = f"{float(x):,.1f}"
    return t("{n} km", n=n) if unit == "km" else t("{n} mi", n=n)


def share_text(x: float | None) -> str:
    """"77.7%" (the app's one number format); "No data" when missing."""
    return t("No data") if _missing(x) else format_number(float(x), "%")


def status_label(status: object) -> str:
    """"missed" → "Missed" (in the reader's language); anything unknown as given."""
    label = STATUS_LABELS.get(str(status)) if isinstance(status, str) else STATUS_LABELS["no data"]
    return t(label) if label else str(status)


def lower_first(text: str) -> str:
    """"Interstate" → "interstate", but "NHS roads" stays."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text
