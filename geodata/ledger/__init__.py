"""Ledger queries: sums of allocations by region, year, quarter and agency.

The pages ask one small interface (:class:`~.base.LedgerBase`), so a larger deployment can
point it at a server without touching them: DuckDB in process by default (:class:`Ledger`,
over Parquet for large tables), PostgreSQL or Spark when the workspace's ``[ledger]`` section
asks (:func:`~.config.open_ledger`). Every query is one definition (:mod:`.query`) rendered per
engine with bound parameters; grouping columns are checked against the table. Amounts are
summed twice: as floating point for display and as whole cents for reconciliation, so "on the
map + not placed = ledger total" holds to the cent.
"""
from __future__ import annotations

from .base import MAX_ABS_AMOUNT, LedgerBase
from .config import LedgerEngineError, open_ledger
from .duck import DuckLedger, Ledger
from .query import GROUPABLE

__all__ = ["GROUPABLE", "MAX_ABS_AMOUNT", "DuckLedger", "Ledger", "LedgerBase",
           "LedgerEngineError", "open_ledger"]
