"""deck.gl views, described with pydeck: an extruded "money per resident" map and the award
points of a line-item table (a scatter sized by amount, and hexagon bins).

The browser draws them with deck.gl served by the app (``static/vendor/deckgl/``, never a
CDN) and turns the pydeck description into layers with deck.gl's JSON converter
(``layers/web_deck/deck.js``). The bulky data does not go through pydeck's record-per-row
JSON: the layers name it as constants (``"data": "@@#regions"``) and it travels in a compact
form beside the description (the app's encoded shapes, per-feature colours and heights, text
tables for the tooltips), decoded once in the browser.

Nothing is computed twice: the regions take their colours, legend and tooltip texts from the
:class:`~layers.choropleth.ChoroplethView` the 2D map and the static exports draw (its
``values_payload``), and only the height is new. Award sums are kept in whole cents, so the
points and the hexagons reconcile with the table to the cent: placed + not placed = total,
and the hexagons' sums add up to what is placed.

Pure functions; no Streamlit.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import pydeck as pdk

from locales import current, t

from .choropleth import MARK_COLOUR, MARK_HALO, MARK_HALO_PX, MARK_WIDTH_PX, ChoroplethView
from .classify import classify, format_number, legend_entries
from .geometry import EncodedLayer, safe_json
from .map_payload import map_words, values_payload

#: deck.gl as vendored (static/vendor/deckgl/); pydeck 0.9 writes JSON for deck.gl ~9.3.
DECK_VERSION = "9.3.11"
#: The vendored scripts, relative to static/ (served at /app/static/...), in loading order:
#: the JSON converter extends the ``deck`` global the first one defines.
DECK_SCRIPTS = ("vendor/deckgl/deckgl.min.js", "vendor/deckgl/deckgl-json.min.js")

EARTH_RADIUS_M = 6378137.0
#: The tallest region of the 3D view rises this share of the map's width (the reader can make
#: it taller or lower in the view).
TOP_SHARE = 0.2
PITCH, BEARING = 50, -12
#: Points: the circle of the largest award is this many pixels in radius; none is smaller than
#: the least (so that a small award can still be found and hovered).
MAX_RADIUS_PX, MIN_RADIUS_PX = 26.0, 2.0
#: Hexagon sizes offered, as hexagons across the map's width (finest first).
HEX_ACROSS = (60, 30, 15)
HEX_PALETTE = "YlOrRd"
HEX_CLASSES = 5
#: Extruded shapes are lit by a white ambient light and one from straight above (deck.js),
#: each of intensity 1: a top face shows exactly its class colour (0.6 + 0.4), the walls are
#: 40 % darker, so the legend's colours are the ones on the map and the columns still read.
MATERIAL = {"ambient": 0.6, "diffuse": 0.4, "shininess": 1, "specularColor": [0, 0, 0]}
#: The regions under the award points.
BASE_FILL = [226, 230, 236, 255]
POINT_FILL = [8, 81, 156, 150]
#: Purposes longer than this are cut in the tooltips (the table keeps them whole).
PURPOSE_CHARS = 240


def rgba(colour: str, alpha: int = 255) -> list[int]:
    """"#1f4e79" → [31, 78, 121, alpha]."""
    c = colour.strip().lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    if len(c) != 6:
        raise ValueError(f"not a colour: {colour!r}")
    return [int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16), int(alpha)]


def ground_width_m(bounds: Sequence[float]) -> float:
    """The east-west width of ``bounds`` (west, south, east, north) at its middle latitude, in
    metres."""
    w, s, e, n = (float(x) for x in bounds)
    mid = math.radians((s + n) / 2)
    return abs(math.radians(e - w)) * EARTH_RADIUS_M * max(math.cos(mid), 1e-6)


def elevations(values: Sequence[float] | pd.Series, top_m: float,
               cap: float | None = None) -> list[float]:
    """Height in metres per value: the largest value (or ``cap``, when given) rises
    ``top_m``, the others in proportion (the same amount is the same height everywhere);
    values above ``cap`` are cut at its height. No data, zero and negative values lie flat
    (0 m). Rounded to the metre."""
    v = pd.to_numeric(pd.Series(list(values), dtype="float64"), errors="coerce").to_numpy()
    ok = np.isfinite(v) & (v > 0)
    top = float(v[ok].max()) if ok.any() else 0.0
    if cap is not None and 0 < cap < top:
        top = float(cap)
    if top <= 0:
        return [0.0] * len(v)
    out = np.where(ok, np.minimum(v, top) / top * float(top_m), 0.0)
    return [float(round(x)) for x in out]


def height_cap(view: ChoroplethView) -> float | None:
    """The amount at which the 3D view's columns stop rising, or None (every column to
    scale). A few far-out amounts would flatten every other region into the ground, so:
    with a box map that has upper outliers, the bottom of the upper-outlier class (what the
    legend says an outlier is); otherwise the far-out fence Q3 + 3 × IQR of the amounts above
    zero, when one of them lies beyond it."""
    v = pd.to_numeric(view.values, errors="coerce").to_numpy(float)
    v = v[np.isfinite(v) & (v > 0)]
    if len(v) < 4:
        return None
    cls = view.classification
    if cls is not None and cls.scheme == "box_map" and len(cls.bins) == 6 and \
            len(cls.counts) == 6 and cls.counts[5] > 0 and cls.bins[4] > 0:
        return float(cls.bins[4])
    q1, q3 = np.percentile(v, [25, 75])
    fence = float(q3 + 3 * (q3 - q1))
    return fence if fence > 0 and float(v.max()) > fence else None


def region_colours(view: ChoroplethView, alpha: int = 255) -> list[list[int]]:
    """The fill of each feature as deck.gl takes it (RGBA), read from the view's colours: the
    colours of the 2D map and of the static exports."""
    return [rgba(c, alpha) for c in view.colours()]


def _deck_json(layers: list[pdk.Layer], bounds: Sequence[float], pitch: float,
               bearing: float) -> dict:
    """The pydeck description of a deck (no basemap: the regions are the map)."""
    w, s, e, n = (float(x) for x in bounds)
    lon, lat = (w + e) / 2, (s + n) / 2
    width_deg = max(abs(e - w), abs(n - s), 1e-6)
    zoom = max(0.0, min(20.0, math.log2(360.0 / width_deg) + 1))
    deck = pdk.Deck(layers=layers, views=[pdk.View(type="MapView", controller=True)],
                    initial_view_state=pdk.ViewState(longitude=lon, latitude=lat, zoom=zoom,
                                                     pitch=pitch, bearing=bearing),
                    map_style=None, map_provider=None)
    spec = json.loads(deck.to_json())
    # No basemap, and no provider to fetch one from.
    for key in ("mapStyle", "mapProvider", "mapboxKey", "googleMapsKey"):
        spec.pop(key, None)
    return spec


def deck_words(title: str) -> dict[str, str]:
    """The words of the 3D view itself, in the reader's language (the legend's column heads as
    the 2D map has them)."""
    words = map_words(title)
    return {**words,
            "name": t("3D map: {title}", title=title) if title else t("3D map"),
            "reset": t("Reset view"), "tilt": t("Tilt"), "flat": t("Flat"),
            "taller": t("Taller"), "lower": t("Lower"),
            "points": t("Points"), "hexagons": t("Hexagons"),
            "finer": t("Smaller hexagons"), "coarser": t("Larger hexagons"),
            "help": t("Drag to move; right-drag or Ctrl+drag to tilt and turn; scroll or +/- "
                      "to zoom."),
            "nogl": t("This 3D view needs WebGL, which this browser does not offer (it may be "
                      "turned off, or the graphics driver blocked). The 2D map and the "
                      "downloads on this page work without it."),
            "noscript": t("The 3D view's scripts could not be loaded from the app "
                          "(static/vendor/deckgl). The 2D map and the downloads on this page "
                          "work without them."),
            "lang": current()}


@dataclass(frozen=True)
class DeckPayload:
    """What the browser draws a deck from: one JSON text (safe inside a <script>)."""
    kind: str                # "regions" or "awards"
    json: str
    title: str = ""
    notes: tuple[str, ...] = ()

    @property
    def nbytes(self) -> int:
        return len(self.json.encode("utf-8"))


def _join_json(parts: Mapping[str, str]) -> str:
    """A JSON object from members already written as JSON text (the encoded shapes are not
    parsed and written again)."""
    return "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in parts.items()) + "}"


# ------------------------------------------------------------------ money per resident, in 3D
def region_deck(layer: EncodedLayer, view: ChoroplethView, *, top_share: float = TOP_SHARE,
                pitch: float = PITCH, bearing: float = BEARING,
                height_label: str = "") -> DeckPayload:
    """The extruded map of ``view`` over ``layer``: each region raised by its value and filled
    with its class colour (its top face exactly the legend's, see :data:`MATERIAL`); legend,
    tooltips and marked outlines as on the 2D map.

    ``height_label`` says what the height is ("USD per resident"); the legend adds a line
    naming it and the tallest value."""
    if tuple(view.region_ids) != tuple(layer.region_ids):
        raise ValueError("the view's features are not in the layer's order; build the view "
                         "from layer.region_ids")
    top_m = ground_width_m(layer.bounds) * float(top_share)
    cap = height_cap(view)
    heights = elevations(view.values.tolist(), top_m, cap)
    vals = pd.to_numeric(view.values, errors="coerce")
    finite = vals[np.isfinite(vals) & (vals > 0)]
    tallest = format_number(float(finite.max()), view.unit) if len(finite) else ""
    cut = int((finite > cap).sum()) if cap is not None else 0
    flat = int((vals <= 0).sum())
    layers = [pdk.Layer("PolygonLayer", id="regions", data="@@#regions",
                        get_polygon="polygon", get_fill_color="fill", get_elevation="elev",
                        get_line_color=[255, 255, 255, 230], extruded=True, wireframe=True,
                        stroked=True, filled=True, line_width_min_pixels=1, pickable=True,
                        auto_highlight=True, highlight_color=[17, 17, 17, 70],
                        elevation_scale=1, material=MATERIAL)]
    if view.marked:
        layers += [pdk.Layer("PathLayer", id="mark_halo", data="@@#marks", get_path="path",
                             get_color=rgba(MARK_HALO), get_width=MARK_HALO_PX,
                             width_units="'pixels'", joint_rounded=True, cap_rounded=True),
                   pdk.Layer("PathLayer", id="marks", data="@@#marks", get_path="path",
                             get_color=rgba(MARK_COLOUR), get_width=MARK_WIDTH_PX,
                             width_units="'pixels'", joint_rounded=True, cap_rounded=True)]
    spec = _deck_json(layers, layer.bounds, pitch, bearing)
    words = deck_words(view.title)
    if cut:
        words["height"] = t("Height: {what}, up to {cap}: the {n} region(s) above it (up to "
                            "{value}) are cut at that height; their tooltips give the amount.",
                            what=height_label or view.unit, cap=format_number(cap, view.unit),
                            n=f"{cut:,}", value=tallest)
    elif tallest:
        words["height"] = t("Height: {what}; the tallest region is {value}.",
                            what=height_label or view.unit, value=tallest)
    if flat:
        words["flat_note"] = t("{n} region(s) with no money or less lie flat.",
                               n=f"{flat:,}")
    parts = {
        "kind": json.dumps("regions"),
        "deck": safe_json(spec),
        "geom": layer.json,
        "V": values_payload(view),
        "fill": safe_json(region_colours(view)),
        "e": safe_json(heights),
        "bounds": safe_json([float(x) for x in layer.bounds]),
        "pitch": json.dumps(float(pitch)), "bearing": json.dumps(float(bearing)),
        "title": safe_json(view.title),
        "txt": safe_json(words),
    }
    return DeckPayload(kind="regions", json=_join_json(parts), title=view.title)


# ------------------------------------------------------------------ award points
@dataclass(frozen=True)
class Awards:
    """The awards of a line-item table placed on a map, with what could not be placed.

    ``placed`` has one row per award on the map: ``lon``, ``lat``, ``cents`` (whole cents),
    ``recipient``, ``purpose``, ``region_id`` (the region it sits in; "" when placed by its
    own coordinates and in no region), ``year`` — in the table's order."""
    placed: pd.DataFrame
    placed_cents: int
    not_placed_cents: int
    placed_n: int
    not_placed_n: int
    #: how many awards were placed by their own coordinates (the rest at their region's point)
    by_coordinates: int = 0

    @property
    def total_cents(self) -> int:
        return self.placed_cents + self.not_placed_cents

    @property
    def total_n(self) -> int:
        return self.placed_n + self.not_placed_n


def to_cents(amounts: pd.Series) -> np.ndarray:
    """Amounts in whole cents (rounded half away from zero, as a ledger rounds a cent)."""
    # x - trunc(x) is exact in binary floating point, so no value is rounded twice: the
    # ledger's own rule (geodata.ledger.base.round_cents), so the sums agree to the cent.
    x = pd.to_numeric(amounts, errors="coerce").astype("float64").to_numpy() * 100.0
    whole = np.trunc(x)
    with np.errstate(invalid="ignore"):
        whole = whole + np.where(np.abs(x - whole) >= 0.5, np.sign(x), 0.0)
    return np.where(np.isfinite(whole), whole, 0).astype(np.int64)


def place_awards(items: pd.DataFrame, points: Mapping[str, tuple[float, float]]) -> Awards:
    """Put each award on the map: at its own ``lon``/``lat`` when the table has them (and they
    are coordinates), else at the representative point of its region (``points``: region id →
    (lon, lat)). Awards with neither are not placed, and counted.

    ``items``: ``amount`` (rows without a readable amount are left out before), ``region_id``,
    ``recipient``, ``purpose`` and optionally ``lon``, ``lat``, ``year``."""
    n = len(items)
    cents = to_cents(items["amount"]) if n else np.zeros(0, np.int64)
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    own = np.zeros(n, dtype=bool)
    if n and "lon" in items and "lat" in items:
        x = pd.to_numeric(items["lon"], errors="coerce").to_numpy(float)
        y = pd.to_numeric(items["lat"], errors="coerce").to_numpy(float)
        own = np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= 180) & (np.abs(y) <= 90) & \
            ~((x == 0) & (y == 0))
        lon[own], lat[own] = x[own], y[own]
    region = items["region_id"].astype("string").fillna("").to_numpy(dtype=object) if n \
        else np.zeros(0, dtype=object)
    for i in np.flatnonzero(~own):
        p = points.get(str(region[i])) if region[i] else None
        if p is not None:
            lon[i], lat[i] = float(p[0]), float(p[1])
    ok = np.isfinite(lon) & np.isfinite(lat)
    placed = pd.DataFrame({
        "lon": lon[ok], "lat": lat[ok], "cents": cents[ok],
        "recipient": _text(items, "recipient")[ok], "purpose": _text(items, "purpose")[ok],
        "region_id": region[ok].astype(str),
        "year": (pd.to_numeric(items["year"], errors="coerce").to_numpy(float)[ok]
                 if "year" in items else np.full(int(ok.sum()), np.nan))})
    return Awards(placed=placed, placed_cents=int(cents[ok].sum()),
                  not_placed_cents=int(cents[~ok].sum()), placed_n=int(ok.sum()),
                  not_placed_n=int((~ok).sum()), by_coordinates=int(own.sum()))


def _text(items: pd.DataFrame, col: str) -> np.ndarray:
    if col not in items:
        return np.full(len(items), "", dtype=object)
    return items[col].astype("string").fillna("").str.strip().to_numpy(dtype=object)


def point_radius_px(cents: np.ndarray | Sequence[int], top_cents: int | None = None
                    ) -> np.ndarray:
    """Circle radius in pixels: area in proportion to the amount (the largest award, or
    ``top_cents``, gets :data:`MAX_RADIUS_PX`), never under :data:`MIN_RADIUS_PX`."""
    c = np.asarray(cents, dtype="float64")
    top = float(top_cents if top_cents is not None else (c.max() if len(c) else 0))
    if top <= 0:
        return np.full(len(c), MIN_RADIUS_PX)
    r = MAX_RADIUS_PX * np.sqrt(np.clip(c, 0, None) / top)
    return np.maximum(r, MIN_RADIUS_PX)


def nice_amounts(top: float, n: int = 3) -> list[float]:
    """Round amounts for a size legend: the largest 1-2-5 number not above ``top``, then ten
    and a hundred times smaller (largest first)."""
    if not (top > 0 and math.isfinite(top)):
        return []
    exp = math.floor(math.log10(top))
    first = max(m * 10 ** exp for m in (1, 2, 5) if m * 10 ** exp <= top)
    return [first / 10 ** i for i in range(n)]


# -------------------------------------------------------------- hexagon bins (Web Mercator)
def mercator(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lat = np.clip(np.asarray(lat, float), -85.05112878, 85.05112878)
    x = EARTH_RADIUS_M * np.radians(np.asarray(lon, float))
    y = EARTH_RADIUS_M * np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))
    return x, y


def unmercator(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon = np.degrees(np.asarray(x, float) / EARTH_RADIUS_M)
    lat = np.degrees(2 * np.arctan(np.exp(np.asarray(y, float) / EARTH_RADIUS_M)) - np.pi / 2)
    return lon, lat


def hex_cells(lon: np.ndarray, lat: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
    """Axial coordinates (q, r) of the pointy-top hexagon of circumradius ``size`` (Web
    Mercator metres) each point falls in."""
    x, y = mercator(lon, lat)
    qf = (math.sqrt(3) / 3 * x - y / 3) / size
    rf = (2 / 3 * y) / size
    sf = -qf - rf
    q, r, s = np.round(qf), np.round(rf), np.round(sf)
    dq, dr, ds = np.abs(q - qf), np.abs(r - rf), np.abs(s - sf)
    fix_q = (dq > dr) & (dq > ds)
    fix_r = ~fix_q & (dr > ds)
    q = np.where(fix_q, -r - s, q)
    r = np.where(fix_r, -q - s, r)
    return q.astype(np.int64), r.astype(np.int64)


def hex_ring(q: int, r: int, size: float, decimals: int = 5) -> list[list[float]]:
    """The corners of hexagon (q, r) as [lon, lat], closed."""
    cx = size * math.sqrt(3) * (q + r / 2)
    cy = size * 1.5 * r
    ang = np.radians(30 + 60 * np.arange(7))
    lon, lat = unmercator(cx + size * np.cos(ang), cy + size * np.sin(ang))
    return [[round(float(a), decimals), round(float(b), decimals)] for a, b in zip(lon, lat)]


def hex_bins(placed: pd.DataFrame, size: float) -> pd.DataFrame:
    """The awards summed by hexagon: ``q``, ``r``, ``cents``, ``n`` and ``top`` (the recipient
    with the most money in it), largest sum first. The sums add up to the placed total."""
    if placed.empty:
        return pd.DataFrame({"q": [], "r": [], "cents": [], "n": [], "top": []})
    q, r = hex_cells(placed["lon"].to_numpy(), placed["lat"].to_numpy(), size)
    f = pd.DataFrame({"q": q, "r": r, "cents": placed["cents"].to_numpy(np.int64),
                      "recipient": placed["recipient"].to_numpy(dtype=object)})
    bins = f.groupby(["q", "r"], sort=False).agg(cents=("cents", "sum"),
                                                 n=("cents", "size")).reset_index()
    who = f.groupby(["q", "r", "recipient"], sort=False)["cents"].sum().reset_index()
    who = who.sort_values(["q", "r", "cents"], ascending=[True, True, False], kind="stable")
    top = who.drop_duplicates(["q", "r"]).set_index(["q", "r"])["recipient"]
    bins["top"] = [top.get((a, b), "") for a, b in zip(bins["q"], bins["r"])]
    return bins.sort_values("cents", ascending=False, kind="stable").reset_index(drop=True)


def hex_size_for(bounds: Sequence[float], across: int) -> float:
    """Circumradius (Web Mercator metres) of hexagons ``across`` of which span the map's
    width."""
    w, s, e, n = (float(x) for x in bounds)
    x, _ = mercator(np.array([w, e]), np.array([s, n]))
    return max(abs(float(x[1] - x[0])), 1.0) / (across * math.sqrt(3))


def distance_text(metres: float) -> str:
    if metres >= 10_000:
        return format_number(round(metres / 1000), "km")
    if metres >= 1000:
        return format_number(round(metres / 1000, 1), "km")
    return format_number(round(metres, -1), "m")


def _hex_layer_data(placed: pd.DataFrame, bounds: Sequence[float], unit: str, top_m: float,
                    across: int) -> dict:
    """One size of hexagons as the browser draws it: corners, fill (the class of the sum),
    height, tooltip texts, legend (the classes of the sums, counting hexagons)."""
    size = hex_size_for(bounds, across)
    bins = hex_bins(placed, size)
    amounts = pd.Series(bins["cents"].to_numpy(float) / 100)
    legend: list = []
    fills: list = []
    if len(bins):
        # quantiles; a handful of distinct sums gets as many equal intervals instead
        distinct = int(amounts.nunique())
        cls = classify(amounts, "quantiles", HEX_CLASSES, unit=unit) \
            if distinct > HEX_CLASSES else classify(amounts, "equal_interval", distinct,
                                                    unit=unit)
        entries = [e for e in legend_entries(cls, HEX_PALETTE, lambda x: format_number(x, unit))
                   if e.class_id >= 0]
        colours = {e.class_id: rgba(e.colour) for e in entries}
        fills = [colours.get(int(c), rgba("#bdbdbd")) for c in cls.class_ids.tolist()]
        legend = [[e.label, e.colour, f"{e.count:,}", e.class_id] for e in entries]
    mid_lat = (float(bounds[1]) + float(bounds[3])) / 2
    across_m = size * math.sqrt(3) * math.cos(math.radians(mid_lat))
    data = {
        "poly": [hex_ring(int(a), int(b), size) for a, b in zip(bins["q"], bins["r"])],
        "fill": fills,
        "e": elevations(amounts.tolist(), top_m),
        "tip": [[format_number(c / 100, unit), f"{int(k):,}", str(w)]
                for c, k, w in zip(bins["cents"], bins["n"], bins["top"])],
        "legend": legend,
        "size": t("Hexagons about {size} across", size=distance_text(across_m)),
        "cents": int(bins["cents"].sum()) if len(bins) else 0,
    }
    return data


def _codes(values: np.ndarray) -> tuple[list[int], list[str]]:
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), sort=False)
    return codes.tolist(), [str(u) for u in uniques]


def _cut(text: str, chars: int = PURPOSE_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= chars else text[:chars - 1].rstrip() + "…"


def award_deck(base: EncodedLayer, awards: Awards, *, unit: str, title: str,
               place_label: str, names: Mapping[str, str] | None = None,
               pitch: float = 0.0, bearing: float = 0.0,
               hex_across: Sequence[int] = HEX_ACROSS) -> DeckPayload:
    """The awards over the regions of ``base``: a scatter of points sized by amount (circle
    area in proportion) and hexagon bins of their sums at a few sizes (extruded by the sum,
    coloured by its class), switched in the browser without a rerun.

    ``place_label`` names where a point sits ("ZIP area"); ``names`` (region id → name) names
    the region in the tooltip. Tooltips: recipient, amount, purpose (cut to
    :data:`PURPOSE_CHARS` characters), where the point sits and what else sits there."""
    names = names or {}
    placed = awards.placed.copy()
    # Largest first: small circles are drawn last, on top, and stay reachable.
    placed = placed.assign(_o=-placed["cents"]).sort_values("_o", kind="stable") \
        .drop(columns="_o").reset_index(drop=True)
    top_cents = int(placed["cents"].max()) if len(placed) else 0
    radius = point_radius_px(placed["cents"].to_numpy(), top_cents)
    who, who_t = _codes(placed["recipient"].to_numpy(dtype=object))
    what, what_t = _codes(np.array([_cut(p) for p in placed["purpose"]], dtype=object))
    amt, amt_t = _codes(np.array([format_number(c / 100, unit)
                                  for c in placed["cents"].tolist()], dtype=object))
    # Points at one place (a region's point) are told apart in the tooltip: how many awards
    # sit there, and how much they add up to.
    key = placed["lon"].round(6).astype(str) + "," + placed["lat"].round(6).astype(str)
    loc, loc_keys = pd.factorize(key, sort=False)
    sums = placed.groupby(loc)["cents"].agg(["sum", "size"])
    first_region = placed.groupby(loc)["region_id"].first()
    loc_t = [[names.get(str(first_region.get(i, "")), str(first_region.get(i, ""))),
              t("{n} awards, {amount}", n=f"{int(sums.loc[i, 'size']):,}",
                amount=format_number(int(sums.loc[i, "sum"]) / 100, unit))]
             for i in range(len(loc_keys))]
    pts = {"x": [round(float(v), 5) for v in placed["lon"]],
           "y": [round(float(v), 5) for v in placed["lat"]],
           "r": [round(float(v), 1) for v in radius],
           "w": who, "p": what, "a": amt, "l": loc.tolist(),
           "tw": who_t, "tp": what_t, "ta": amt_t, "tl": loc_t}
    top_m = ground_width_m(base.bounds) * 0.12
    hexes = [_hex_layer_data(placed, base.bounds, unit, top_m, n) for n in hex_across]
    sizes = [[format_number(a, unit), round(float(point_radius_px([a * 100], top_cents)[0]), 1)]
             for a in nice_amounts(top_cents / 100)]
    layers = [
        pdk.Layer("PolygonLayer", id="base", data="@@#base", get_polygon="polygon",
                  get_fill_color=BASE_FILL, get_line_color=[255, 255, 255, 255], stroked=True,
                  filled=True, line_width_min_pixels=1, pickable=False),
        pdk.Layer("ScatterplotLayer", id="awards", data="@@#points", get_position="p",
                  get_radius="r", radius_units="'pixels'", get_fill_color=POINT_FILL,
                  get_line_color=[255, 255, 255, 210], stroked=True, line_width_min_pixels=0.5,
                  pickable=True, auto_highlight=True, highlight_color=[255, 190, 0, 230]),
        pdk.Layer("PolygonLayer", id="hex", data="@@#hex", get_polygon="polygon",
                  get_fill_color="fill", get_elevation="elev", extruded=True, wireframe=True,
                  get_line_color=[255, 255, 255, 200], material=MATERIAL, pickable=True,
                  auto_highlight=True,
                  highlight_color=[17, 17, 17, 80], visible=False),
    ]
    spec = _deck_json(layers, base.bounds, pitch, bearing)
    words = deck_words(title)
    words.update({
        "amount": t("Amount"), "purpose": t("Purpose"), "where": place_label,
        "here": t("At this point"), "awards": t("Awards"), "largest": t("Largest recipient"),
        "hex": t("Hexagon"), "hex_head": t("Amount in each hexagon"), "hex_count": t("Hexagons"),
        "pt_head": t("Circle area: the amount of an award"),
        "pt_note": t("{n} awards on the map", n=f"{awards.placed_n:,}"),
    })
    parts = {
        "kind": json.dumps("awards"),
        "deck": safe_json(spec),
        "geom": base.json,
        "pts": safe_json(pts),
        "hex": safe_json(hexes),
        "sizes": safe_json(sizes),
        "bounds": safe_json([float(x) for x in base.bounds]),
        "pitch": json.dumps(float(pitch)), "bearing": json.dumps(float(bearing)),
        "title": safe_json(title),
        "txt": safe_json(words),
    }
    return DeckPayload(kind="awards", json=_join_json(parts), title=title)


@dataclass(frozen=True)
class Reconciliation:
    """Every cent of the awards accounted for: on the map + not placed = the table's total,
    and the hexagons of each size add up to what is on the map."""
    placed_cents: int
    not_placed_cents: int
    total_cents: int
    hex_cents: tuple[int, ...] = field(default=())

    @property
    def reconciles(self) -> bool:
        return self.placed_cents + self.not_placed_cents == self.total_cents and \
            all(h == self.placed_cents for h in self.hex_cents)


def reconcile(awards: Awards, total_cents: int, bounds: Sequence[float],
              hex_across: Sequence[int] = HEX_ACROSS) -> Reconciliation:
    """The awards' sums against ``total_cents`` (the table's total for the same years and
    agencies, read independently), with the hexagon sums of every size."""
    hex_cents = tuple(int(hex_bins(awards.placed, hex_size_for(bounds, n))["cents"].sum())
                      if len(awards.placed) else 0 for n in hex_across)
    return Reconciliation(placed_cents=awards.placed_cents,
                          not_placed_cents=awards.not_placed_cents,
                          total_cents=int(total_cents), hex_cents=hex_cents)
