"""The deck.gl views of the Per capita page in a real browser with the network cut: the 3D view
draws on a WebGL canvas (software WebGL in headless Chromium) with the 2D map's legend, deck.gl
comes from the app's own static files, nothing leaves 127.0.0.1, no console error; tilting
or switching to hexagons redraws in the browser without a rerun. Screenshots go to
tests/browser/artifacts/deck_*.png."""
from __future__ import annotations

import io

import pytest

from tests.browser.conftest import ARTIFACTS, REPO, assert_offline, open_app, wait_settled

pytestmark = pytest.mark.browser

DECK_IFRAME = 'iframe[src*="/ui.deck_view.fiscal_deck/"]'
LINK = "per_capita?ws=nyc_council&pc_level=zip&pc_table=awards_zip&pc_3d=1"


def deck_frame(page, index: int = 0, timeout: float = 60_000):
    """The Frame of the ``index``-th deck component once deck.gl has drawn a frame."""
    iframe = page.locator(DECK_IFRAME).nth(index)
    iframe.wait_for(state="attached", timeout=timeout)
    iframe.scroll_into_view_if_needed(timeout=timeout)
    frame = iframe.element_handle(timeout=timeout).content_frame()
    assert frame is not None
    frame.wait_for_function("() => window.fdComponent && fdComponent.view && "
                            "(fdComponent.view.drawn > 0 || fdComponent.view.error)",
                            timeout=timeout)
    return iframe, frame


def coloured_share(png: bytes, background=(244, 244, 242)) -> tuple[float, int]:
    """Share of the pixels that are neither the frame's background nor white/grey, and how
    many distinct such colours there are (the classes' colours)."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    px = list(img.get_flattened_data()) if hasattr(img, "get_flattened_data") \
        else list(img.getdata())
    coloured = [p for p in px if max(p) - min(p) > 30 and
                max(abs(a - b) for a, b in zip(p, background)) > 12]
    return len(coloured) / max(len(px), 1), len({(r // 8, g // 8, b // 8) for r, g, b in coloured})


def watch_socket(page) -> list[int]:
    """Sizes of the messages the server sends from now on (register before opening the
    page: the app's websocket is opened once)."""
    sizes: list[int] = []
    page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda f: sizes.append(len(f) if f is not None else 0)))
    return sizes


def script_errors(page) -> list[str]:
    """Console errors other than a failed load (those are checked by URL: only Streamlit's own
    probes of /_stcore/ under a page's path may fail)."""
    return [e for e in page.console_errors if "Failed to load resource" not in e]


def watch_failures(page) -> list[tuple[str, int]]:
    failed: list[tuple[str, int]] = []
    page.on("response", lambda r: r.status >= 400 and failed.append((r.url, r.status)))
    return failed


def own_failures(failed) -> list[tuple[str, int]]:
    return [(u, s) for u, s in failed if "/_stcore/" not in u]


def test_the_3d_view_draws_offline_from_the_apps_own_deck_gl(streamlit_app, page):
    served = []
    page.on("response", lambda r: served.append((r.url, r.status)))
    failed = watch_failures(page)
    page.set_viewport_size({"width": 1440, "height": 1000})
    open_app(page, streamlit_app, LINK)
    iframe, frame = deck_frame(page)
    assert frame.evaluate("() => fdComponent.view.error") is None
    # deck.gl and its JSON converter came from the app's static files, not a CDN
    deck_files = [(u, s) for u, s in served if "/app/static/vendor/deckgl/" in u]
    assert sorted(u.rsplit("/", 1)[-1] for u, _ in deck_files) == \
        ["deckgl-json.min.js", "deckgl.min.js"]
    assert all(s == 200 for _, s in deck_files), deck_files
    # one WebGL canvas, sized to the frame
    assert frame.evaluate("() => document.querySelectorAll('.fd-map canvas').length") == 1
    assert frame.evaluate("() => { const c = document.querySelector('.fd-map canvas');"
                          " return !!(c.getContext('webgl2')); }")
    # the legend is the 2D map's: measure, unit, classes with counts, No data
    legend = frame.locator(".fd-legend").inner_text()
    assert "FY2025–FY2026, sum over the years" in legend
    assert "USD per resident" in legend
    assert "No data" in legend
    assert "Height: USD per resident, up to $1,933: the 7 region(s) above it" in legend
    frame.wait_for_timeout(1500)                  # deck.gl's first frames in software WebGL
    shot = iframe.screenshot()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "deck_3d_nyc_zip.png").write_bytes(shot)
    page.screenshot(path=str(ARTIFACTS / "deck_per_capita_page.png"))
    share, colours = coloured_share(shot)
    assert share > 0.05, share                     # regions drawn, not a blank box
    assert colours >= 5, colours                   # in several class colours
    # a region's tooltip: its name, the value and the rows of the 2D map's tooltip
    spot = frame.evaluate("""() => {
        const v = fdComponent.view, d = v.deck, c = document.querySelector('.fd-map canvas');
        for (let y = 0.35; y < 0.8; y += 0.05) for (let x = 0.25; x < 0.6; x += 0.05) {
            const info = d.pickObject({x: c.clientWidth * x, y: c.clientHeight * y});
            if (info && info.object && info.layer.id === 'regions') {
                const i = info.object.i, V = v.P.V;
                return {x: info.x, y: info.y, name: v.P.geom.names[i],
                        lines: [V.label + ': ' + V.v[i]].concat(
                            V.rows.map(r => r[0] + ': ' + r[1][i]).filter(l => !/: $/.test(l)))};
            }
        }
        return null; }""")
    assert spot is not None
    box = iframe.bounding_box()
    canvas = frame.locator(".fd-map canvas").bounding_box()
    page.mouse.move(box["x"] + 2, box["y"] + 2)
    page.mouse.move(canvas["x"] + spot["x"], canvas["y"] + spot["y"])
    tip = frame.locator(".fd-tip")
    tip.wait_for(state="visible", timeout=10_000)
    assert tip.inner_text().splitlines() == [spot["name"], *spot["lines"]]
    assert any(line.startswith("Rank: ") for line in spot["lines"])
    assert_offline(page)
    assert script_errors(page) == []
    assert own_failures(failed) == []


def test_tilting_and_hexagons_redraw_without_a_rerun(streamlit_app, page):
    page.set_viewport_size({"width": 1440, "height": 1000})
    sizes = watch_socket(page)
    open_app(page, streamlit_app, LINK + "&pc_awards=1")
    _, frame3d = deck_frame(page, 0)
    iframe, frame = deck_frame(page, 1)
    assert max(sizes) > 1_000_000          # the awards' payload came once, at the start
    frame.wait_for_timeout(500)
    del sizes[:]
    renders = frame.evaluate("() => fdComponent.renders")
    # points first: the legend sizes the circles
    assert "Circle area: the amount of an award" in frame.locator(".fd-legend").inner_text()
    # an award's tooltip: recipient, amount, purpose, where it sits and what else sits there
    spot = frame.evaluate("""() => {
        const v = fdComponent.view, d = v.deck, c = document.querySelector('.fd-map canvas');
        for (let y = 0.2; y < 0.9; y += 0.02) for (let x = 0.2; x < 0.7; x += 0.02) {
            const info = d.pickObject({x: c.clientWidth * x, y: c.clientHeight * y});
            if (info && info.object && info.layer.id === 'awards') {
                const D = v.P.pts, k = info.object.k;
                return {x: info.x, y: info.y, who: D.tw[D.w[k]], amount: D.ta[D.a[k]],
                        purpose: D.tp[D.p[k]], where: D.tl[D.l[k]]};
            }
        }
        return null; }""")
    assert spot is not None
    box = iframe.bounding_box()
    canvas = frame.locator(".fd-map canvas").bounding_box()
    page.mouse.move(box["x"] + 2, box["y"] + 2)
    page.mouse.move(canvas["x"] + spot["x"], canvas["y"] + spot["y"])
    tip = frame.locator(".fd-tip")
    tip.wait_for(state="visible", timeout=10_000)
    lines = tip.inner_text().splitlines()
    assert lines[0] == spot["who"] and f"Amount: {spot['amount']}" in lines
    assert f"ZIP area: {spot['where'][0]}" in lines
    assert f"At this point: {spot['where'][1]}" in lines
    if spot["purpose"]:
        assert f"Purpose: {spot['purpose']}" in lines
    page.mouse.move(box["x"] + 2, box["y"] + 2)
    frame.get_by_role("button", name="Hexagons").click()
    frame.wait_for_function("() => document.querySelector('.fd-legend').innerText"
                            ".includes('Amount in each hexagon')")
    assert "Hexagons about" in frame.locator(".fd-legend").inner_text()
    frame.get_by_role("button", name="Tilt").click()
    frame.get_by_role("button", name="Larger hexagons").click()
    frame.wait_for_timeout(800)
    shot = iframe.screenshot()
    (ARTIFACTS / "deck_awards_hexagons.png").write_bytes(shot)
    share, _ = coloured_share(shot)
    assert share > 0.01, share
    # no rerun: the payload was not drawn again, no message came from the server
    assert frame.evaluate("() => fdComponent.renders") == renders
    assert sizes == []
    assert frame3d.evaluate("() => fdComponent.view.error") is None
    assert_offline(page)
    assert script_errors(page) == []


def test_a_rerun_that_changes_nothing_in_the_deck_does_not_send_it_again(streamlit_app, page):
    page.set_viewport_size({"width": 1440, "height": 1000})
    received = watch_socket(page)
    open_app(page, streamlit_app, LINK + "&pc_awards=1")
    deck_frame(page, 1)
    assert max(received) > 1_000_000       # the awards' payload came once, at the start
    del received[:]
    # two reruns of the whole page: per 1,000 residents changes the 3D view's payload, not
    # the awards'; back to per resident
    page.get_by_text("Per 1,000 residents").first.click()
    wait_settled(page)
    page.get_by_text("Per resident").first.click()
    wait_settled(page)
    _, frame = deck_frame(page, 1)
    assert received, "no rerun happened"
    # the awards' payload (about 1.8 MB) did not travel again
    assert max(received) < 400_000, max(received)
    assert frame.evaluate("() => fdComponent.renders") == 1
    assert_offline(page)


# ------------------------------------------------------------------ the offline HTML export
@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The 3D view's HTML export of the NYC ZIP areas, as the page's download makes it."""
    from exports import deck as xdeck
    from geodata.dataset import MeasureSpec, WorkspaceData, map_values
    from geodata.workspace import load_manifest
    from layers.choropleth import build_choropleth
    from layers.deck import region_deck
    from layers.geometry import encode_layer, prepare_geometry

    ws = load_manifest(REPO / "geodata/workspaces/nyc_council/workspace.toml")
    data = WorkspaceData(ws)
    mv = map_values(data, MeasureSpec(level="zip", measure="per_capita", table="awards_zip",
                                      span=(2026, 2026)))
    layer = encode_layer(prepare_geometry(data.boundaries("zip")))
    view = build_choropleth(layer.region_ids, mv.values, title="FY2026", unit="USD per resident",
                            scheme="quantiles", k=5)
    page = xdeck.deck_html(region_deck(layer, view), title="Awards per resident, FY2026",
                           source="Source: NYC Council")
    path = tmp_path_factory.mktemp("deck_html") / "awards_3d.html"
    path.write_bytes(page)
    return path, view


def test_the_html_export_draws_with_the_network_cut(exported, page):
    path, view = exported
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(path.as_uri())
    page.wait_for_function("() => window.fdView && (fdView.drawn > 0 || fdView.error)",
                           timeout=60_000)
    assert page.evaluate("() => fdView.error") is None
    page.wait_for_timeout(1500)
    shot = page.locator("#fd-root").screenshot()
    (ARTIFACTS / "deck_export_html.png").write_bytes(shot)
    share, _ = coloured_share(shot)
    assert share > 0.04, share
    # the top faces show the classes' colours exactly
    from PIL import Image

    img = Image.open(io.BytesIO(shot)).convert("RGB")
    seen = set(img.get_flattened_data() if hasattr(img, "get_flattened_data")
               else img.getdata())
    hexes = [c.lstrip("#") for c in view.class_colours]
    rgb = [tuple(int(h[i:i + 2], 16) for i in (0, 2, 4)) for h in hexes]
    assert sum(c in seen for c in rgb) >= 4, (rgb, len(seen))
    assert page.locator("h1").inner_text() == "Awards per resident, FY2026"
    assert "Quantiles" not in page.locator(".fd-legend").inner_text()   # the view's own words
    assert_offline(page)
    assert page.console_errors == []


def test_without_webgl_the_view_says_so_instead_of_a_blank_box(exported, page):
    path, _ = exported
    # a browser with WebGL turned off: no context of that kind is ever given
    page.add_init_script("""(() => {
        const get = HTMLCanvasElement.prototype.getContext;
        HTMLCanvasElement.prototype.getContext = function(kind, ...rest) {
            return /webgl/i.test(String(kind)) ? null : get.call(this, kind, ...rest);
        };
    })();""")
    page.goto(path.as_uri())
    page.wait_for_function("() => window.fdView && fdView.error", timeout=30_000)
    note = page.locator(".fd-nogl")
    assert note.is_visible()
    assert note.inner_text().startswith("This 3D view needs WebGL, which this browser does not "
                                        "offer")
    # the legend still reads: the classes and their counts
    assert "No data" in page.locator(".fd-legend").inner_text()
    assert page.locator(".fd-map canvas").count() == 0
    assert_offline(page)
    assert [e for e in page.console_errors if "pageerror" in e] == []
