"""AppTest of the deck.gl views on the Per capita page: the 3D toggle draws the year's map in
the 2D map's classes, colours, legend and tooltips; the award points say where a point sits
and reconcile with the table to the cent; the downloads are offered; the state is in the link;
the words follow the reader's language."""
from __future__ import annotations

import json
from pathlib import Path

from streamlit.runtime.state.common import user_key_from_element_id
from streamlit.testing.v1 import AppTest

from tests.app.conftest import components

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/per_capita.py"
DECK = "ui.deck_view.fiscal_deck"
MAP = "ui.map_component.fiscal_map"


def open_page(ws: str = "nyc_council", *, lang: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=240)
    for k, v in params.items():
        at.query_params[k] = v
    at.session_state["ws"] = ws
    if lang:
        at.session_state["lang"] = lang
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def instances(at: AppTest) -> dict[str, tuple[str, dict]]:
    """Component instances by key: (component name, arguments)."""
    return {user_key_from_element_id(c.proto.id): (c.proto.component_name,
                                                   json.loads(c.proto.json_args))
            for c in components(at._tree[0])}


def texts(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("subheader", "markdown", "caption", "info",
                                                "warning") for e in getattr(at, kind))


def test_the_toggles_are_off_at_first_and_the_page_draws_no_deck():
    at = open_page(pc_level="zip", pc_table="awards_zip")
    labels = {w.key: w.label for w in at.toggle}
    assert labels["pc_3d"] == "3D view: height = money per resident"
    assert labels["pc_awards"] == "Award points and hexagons"
    assert at.toggle(key="pc_3d").value is False
    assert [name for name, _ in instances(at).values()] == [MAP]


def test_the_3d_view_of_a_year_has_the_2d_maps_classes_colours_legend_and_tooltips():
    at = open_page(pc_level="zip", pc_table="awards_zip")
    at.toggle(key="pc_3d").set_value(True)
    run(at)
    assert at.query_params["pc_3d"] == "1"
    name, args = instances(at)["pc_deck"]
    assert name == DECK and args["height"] == 560
    span = json.loads(args["payload"])
    assert span["kind"] == "regions" and span["title"] == "FY2025–FY2026, sum over the years"
    assert "Council discretionary awards (recipient's ZIP area) per resident in 3D, " \
           "FY2025–FY2026, sum over the years" in texts(at)
    # the year the 2D map shows (the latest), in 3D: the same payload of values
    at.selectbox(key="pc_3d_year").set_value("2026")
    run(at)
    assert at.query_params["pc_3d_year"] == "2026"
    got = instances(at)
    P = json.loads(got["pc_deck"][1]["payload"])
    V2 = json.loads(got["pc_map"][1]["values"])
    for key in ("c", "pal", "nd", "legend", "v", "rows", "label", "unit_label"):
        assert P["V"][key] == V2[key], key
    # each feature's fill is its class colour on the 2D map
    rgb = [tuple(f[:3]) for f in P["fill"]]
    hexes = [V2["nd"] if c < 0 else V2["pal"][c] for c in V2["c"]]
    assert rgb == [tuple(int(h[i:i + 2], 16) for i in (1, 3, 5)) for h in hexes]
    assert P["txt"]["height"].startswith("Height: USD per resident")
    assert P["geom"]["ids"] == json.loads(got["pc_map"][1]["geometry"])["ids"]
    labels = [b.label for b in at.get("download_button")]
    assert {"Interactive 3D (HTML, offline)", "PNG image (2D map, same classes)",
            "PDF (2D map, same classes)"} <= set(labels)


def test_the_award_points_say_where_they_sit_and_reconcile_with_the_table():
    at = open_page(pc_level="zip", pc_table="awards_zip", pc_years="2026-2026")
    at.toggle(key="pc_awards").set_value(True)
    run(at)
    name, args = instances(at)["pc_awards_deck"]
    assert name == DECK
    P = json.loads(args["payload"])
    assert P["kind"] == "awards" and P["txt"]["where"] == "ZIP area"
    shown = texts(at)
    assert "This table has no coordinates: each award sits at the representative point of its " \
           "ZIP area (a point inside it)" in shown
    # FY2026: $716,213,155 in the table (the Council's "Updated Total"), every cent accounted for
    line = next(m.value for m in at.markdown if m.value.startswith("**On the map:**"))
    assert line.endswith("**Table total:** \\$716,213,155.")
    placed = int(line.split("**On the map:** \\$")[1].split(" in ")[0].replace(",", ""))
    not_placed = int(line.split("**Not placed:** \\$")[1].split(" in ")[0].replace(",", ""))
    assert placed + not_placed == 716_213_155
    # one point per award on the map
    assert len(P["pts"]["x"]) == int(line.split(" in ")[1].split(" awards")[0].replace(",", ""))
    assert "The awards do not add up" not in shown
    labels = [b.label for b in at.get("download_button")]
    assert {"Interactive map of the awards (HTML, offline)", "Awards on the map (CSV)"} <= \
        set(labels)


def test_a_workspace_without_line_items_offers_the_3d_view_only():
    at = open_page("us_federal", pc_years="2024-2024", pc_3d="1")
    keys = [w.key for w in at.toggle]
    assert "pc_3d" in keys and "pc_awards" not in keys
    P = json.loads(instances(at)["pc_deck"][1]["payload"])
    assert P["kind"] == "regions" and len(P["fill"]) == len(P["geom"]["ids"]) == 56
    # one fiscal year: nothing to choose
    assert not [s for s in at.selectbox if s.key == "pc_3d_year"]


def test_the_3d_view_speaks_chinese():
    at = open_page(lang="zh", pc_level="zip", pc_table="awards_zip", pc_3d="1")
    assert at.toggle(key="pc_3d").label == "三维视图：高度 = 人均金额"
    P = json.loads(instances(at)["pc_deck"][1]["payload"])
    assert P["txt"]["reset"] == "重置视图" and P["txt"]["lang"] == "zh"
    labels = [b.label for b in at.get("download_button")]
    assert "交互式三维视图（HTML，可离线）" in labels
