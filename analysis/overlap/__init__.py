"""Overlapping funding in a table of line items: who is funded more than once, and which awards
look like the same award entered twice.

A line-item table has one row per award: an award id, the recipient (an id such as an EIN, and
a name), who gave the money (funders: a council member, a district), the programme, the
agency, the period (fiscal year) or a date, the amount, the purpose text and where the
recipient is. :class:`OverlapRules` names those columns and the matching rules; a workspace
gives them in its manifest (:data:`OVERLAP_KEYS`, read by :func:`rules_from_manifest`).

:func:`check_overlap` answers two questions:

**Funded more than once** — per recipient and period, the distinct funders and programmes,
the awards and their money; a recipient with more than one funder or more than one programme
in one period is listed, the largest sums first.

**Near-duplicate awards** — pairs of awards to the same recipient in the same period (or at
most ``window_days`` apart when the table has dates) with the same amount (within
``amount_tolerance``) or the same purpose text. The recipient is the same by id; a row whose id
is blank, or is a shared id set aside in ``exclude_ids`` (the City of New York's EIN covers 73
public bodies), is matched by its name after normalisation instead. A purpose text written for
more than ``boilerplate_recipients`` recipients is boilerplate (an initiative's standard text):
it is shown, but it never makes a pair on its own. Each pair says why it matched, in the
reader's language ("same EIN 133846431, same amount $25,000, same purpose text, FY2026"), and
carries its amount at issue: the smaller of its two amounts, what would have been paid twice.

Pairs are found by blocking, never by comparing every award with every other: exact matches
are the pairs inside groups of equal (recipient, period, amount) or (recipient, period,
purpose); tolerances and date windows are sorted-neighbourhood scans. A million line items
take a few seconds (``bench/bench_overlap.py``).

:func:`flagged_by_area` sums the flagged money by area (the funder's district, the recipient's
ZIP area) for a map, with the money of rows that have no area counted as not placed;
:func:`export_frames` gives CSV-ready tables with column labels in the reader's language.

:func:`overlap_map` is the map of the flagged money by area as the Analysis page and every
export draw it, with the matching rules in words under it.

The modules, one concern each: :mod:`.rules` (the configuration and the manifest's section),
:mod:`.read` (the line-item table of a workspace), :mod:`.normalise` (names and purpose texts
as compared), :mod:`.codes` (columns as integer codes), :mod:`.columns` (the rules' columns
read into codes), :mod:`.blocking` (candidate pairs), :mod:`.check` (the check),
:mod:`.frames` and :mod:`.why` (the result's tables and each pair's reasons),
:mod:`.result` (the result and its summary), :mod:`.method` (the method statement),
:mod:`.export` (CSV tables) and :mod:`.areas` (money by area, the map).
"""
from __future__ import annotations

from .areas import (AREA_MEASURES, AREA_TOTALS, NO_LINE_ITEMS, AreaFlags, flagged_by_area,
                    overlap_map)
from .check import MAX_PAIRS, check_overlap, check_workspace
from .export import COLUMN_LABELS, EXPORT_TITLES, export_frames
from .method import method_text
from .normalise import normalise_name, normalise_purpose
from .normalise import _purpose_keys  # noqa: F401  (the column form of normalise_purpose)
from .read import read_line_items
from .result import MATCHED_KINDS, MATCHED_ON, ExcludedRows, OverlapResult, summary_lines
from .rules import (DEFAULT_NAME_STEPS, NAME_STEPS, NYC_CITY_EIN, OVERLAP_ALIASES, OVERLAP_KEYS,
                    OverlapRules, rules_for_workspace, rules_from_manifest)
from .why import why_texts

__all__ = ["AREA_MEASURES", "AREA_TOTALS", "COLUMN_LABELS", "DEFAULT_NAME_STEPS",
           "EXPORT_TITLES", "MATCHED_KINDS", "MATCHED_ON", "MAX_PAIRS", "NAME_STEPS",
           "NO_LINE_ITEMS", "NYC_CITY_EIN", "OVERLAP_ALIASES", "OVERLAP_KEYS", "AreaFlags",
           "ExcludedRows", "OverlapResult", "OverlapRules", "check_overlap", "check_workspace",
           "export_frames", "flagged_by_area", "method_text", "normalise_name",
           "normalise_purpose", "overlap_map", "read_line_items", "rules_for_workspace",
           "rules_from_manifest", "summary_lines", "why_texts"]
