"""Every kind of bad input in the catalogue (tests/catalogue.py): the message, the rows kept,
the totals, and a map that still draws and reconciles."""
from __future__ import annotations

import pytest

from geodata.dataset import MeasureSpec, WorkspaceData, map_values
from geodata.workspace import ManifestError, load_manifest
from tests.catalogue import CASES, Case, build


def test_the_catalogue_has_at_least_sixty_kinds():
    assert len(CASES) >= 60
    assert len({c.kind for c in CASES}) == len(CASES)


def _extra_checks(case: Case, data: WorkspaceData) -> None:
    tid = case.table_id
    if case.check == "agency_cp1252":
        assert any(a.startswith("Children’s") for a in data.table(tid)["agency"])
    elif case.check == "agency_gb18030":
        assert "财政部门支出" in set(data.table(tid)["agency"])
    elif case.check == "quarter_null":
        q = data.table(tid)["quarter"]
        assert q.isna().sum() == 1 and set(q.dropna()) == {1, 2}
    elif case.check == "line_after_break":
        bad = next(p for p in data.problems if p.code == "bad_number")
        assert bad.rows == (5,)         # the quoted value spans lines 2-3
    elif case.check == "merged_parts":
        b = data.boundaries("county")
        assert len(b) == 3
        assert b.set_index("region_id").geometry["01003"].geom_type == "MultiPolygon"
    elif case.check == "no_regions":
        assert data.boundaries("county").empty
    elif case.check == "indicator_percent":
        ind = data.indicators("county")
        assert ind.set_index("region_id")["value"]["01001"] == 5.5
    elif case.check == "no_indicators":
        assert data.indicator_catalogue("county") == {}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, tmp_path):
    root = build(case, tmp_path / "ws")
    if case.manifest_error:
        with pytest.raises(ManifestError) as err:
            load_manifest(root)
        assert case.manifest_error in str(err.value)
        return
    data = WorkspaceData(load_manifest(root))
    problems = data.problems
    texts = [f"{p.code}: {p.text()}" for p in problems]
    if case.expect:
        code, words = case.expect
        assert any(p.code == code and words in p.text() for p in problems), texts
    else:
        spend_file = case.spend_file
        assert not [p for p in problems if p.file == spend_file], texts

    tid = case.table_id
    ledger = data.ledger
    in_ledger = tid in ledger.tables()
    kept = int(ledger.sum_by(tid, [])["rows"].sum()) if in_ledger else 0
    if case.kept is not None:
        assert kept == case.kept, texts
    if case.total is not None:
        assert ledger.total(tid)[1] == case.total, texts
    if not in_ledger:
        assert tid not in [t.id for t in data.allocation_tables("county")]
        return

    # The map of every measure can be drawn, and its money reconciles to the cent.
    lo, hi = data.years(tid)
    mv = map_values(data, MeasureSpec(level="county", measure="total", table=tid, span=(lo, hi)))
    assert mv.join.reconciles
    assert mv.join.placed_cents == (case.total if case.placed is None else case.placed)
    for measure in ("per_capita", "share", "change"):
        map_values(data, MeasureSpec(level="county", measure=measure, table=tid, span=(lo, hi)))
    for name in data.indicator_catalogue("county"):
        map_values(data, MeasureSpec(level="county", measure="indicator", indicator=name))
    _extra_checks(case, data)
