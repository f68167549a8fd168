"""An overlay (lines, points, polygons over a map) ready to draw: colours by category, one
legend, tooltip texts, and the compact payload the browser decodes (layers/web/fiscalmap.js,
``fmOverlays``).

Colours come from the qualitative palette of :mod:`layers.palettes`; the most common
categories get a colour each, in order of their counts, and beyond :data:`MAX_CATEGORIES` the
rest are drawn together as "Other" (the legend says which). Geometry is encoded like the road
lines (:mod:`layers.render_roads`): delta-encoded polylines at 1e-5 degree (coordinates rounded
to five decimals, about 1 m), simplified when the file is large. Lines are drawn as polylines,
points as circle markers, areas as outlines (no fill, so the choropleth stays readable). Text
from the file reaches the page only through DOM ``textContent``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from locales import N_, t

from .geometry import _encode_ring, safe_json
from .numbers import format_number
from .palettes import QUALITATIVE, QUALITATIVE_OTHER
from .render_roads import tooltip_row

MAX_CATEGORIES = 10              # legend rows: nine colours and "Other"
# Legend words (message ids: the legend shows them in the reader's language)
OTHER_LABEL = N_("Other")
BLANK_LABEL = N_("(no value)")
FEATURES_LABEL = N_("Features")
DEFAULT_COLOUR = "#332288"       # one colour when there is no category and none is given
PRECISION = 5                    # 1e-5 degree ≈ 1 m
SIMPLIFY_ABOVE = 50_000          # vertices; larger overlays are simplified for the screen
SIMPLIFY_TOLERANCE = 5e-5        # degrees (≈ 5 m)
KIND_CODES = {"line": 0, "point": 1, "area": 2}


@dataclass(frozen=True)
class OverlayStyle:
    """Colour of each feature and the legend that explains them."""
    class_ids: tuple[int, ...]           # per feature: index into labels/colours
    labels: tuple[str, ...]              # legend rows, most common first, "Other" last
    colours: tuple[str, ...]
    counts: tuple[int, ...]
    folded: tuple[str, ...] = ()         # categories drawn as "Other"
    note: str = ""
    by_category: bool = True             # False: one colour, no category column

    def colour_of(self) -> list[str]:
        return [self.colours[c] for c in self.class_ids]


def overlay_style(categories: Sequence[str], *, colour: str = "", label: str = "",
                  features: Sequence | None = None,
                  max_categories: int = MAX_CATEGORIES) -> OverlayStyle:
    """Colours for features by category. Without categories (all ""), every feature takes
    ``colour`` (or :data:`DEFAULT_COLOUR`) and the one legend row reads ``label``.
    ``features`` (the feature number of each row) makes the counts count features, not rows
    (a geometry collection comes as one row per kind). The legend's own words ("Other",
    "(no value)", the note) are in the reader's language; categories are data, as written."""
    cats = pd.Series(list(categories), dtype="object").fillna("").astype(str)
    ids = pd.Series(list(features) if features is not None else range(len(cats)),
                    dtype="object")
    if cats.empty or (cats == "").all():
        return OverlayStyle(class_ids=tuple([0] * len(cats)),
                            labels=(label or t(FEATURES_LABEL),),
                            colours=(colour or DEFAULT_COLOUR,), counts=(int(ids.nunique()),),
                            by_category=False)
    counts = pd.DataFrame({"c": cats, "f": ids}).drop_duplicates()["c"].value_counts()
    order = sorted(counts.index, key=lambda c: (-int(counts[c]), c == "", c))
    keep, folded = order, []
    if len(order) > max_categories:
        keep, folded = order[:max_categories - 1], order[max_categories - 1:]
    pos = {c: i for i, c in enumerate(keep)}
    other = len(keep)
    class_ids = tuple(pos.get(c, other) for c in cats)
    blank, other_label = t(BLANK_LABEL), t(OTHER_LABEL)
    labels = [blank if c == "" else c for c in keep]
    colours = [QUALITATIVE[i % len(QUALITATIVE)] for i in range(len(keep))]
    n = [int(counts[c]) for c in keep]
    note = ""
    if folded:
        labels.append(other_label)
        colours.append(QUALITATIVE_OTHER)
        n.append(int(sum(counts[c] for c in folded)))
        shown = ", ".join(blank if c == "" else c for c in folded[:5])
        if len(folded) > 5:
            shown = t("{shown} and {n} more", shown=shown, n=format_number(len(folded) - 5))
        note = t("{n} categories: the {kept} most common have a colour each; the other "
                 "{folded} ({shown}) are drawn as “{other}”.", n=format_number(len(order)),
                 kept=format_number(len(keep)), folded=format_number(len(folded)),
                 shown=shown, other=other_label)
    return OverlayStyle(class_ids=class_ids, labels=tuple(labels), colours=tuple(colours),
                        counts=tuple(n), folded=tuple(folded), note=note)


def legend_rows(style: OverlayStyle) -> list[tuple[str, str, str]]:
    """(label, colour, count text) per legend row."""
    return [(lab, col, format_number(n, compact=False))
            for lab, col, n in zip(style.labels, style.colours, style.counts)]


def tooltip_rows(frame: pd.DataFrame, columns: Sequence[tuple[str, str]]
                 ) -> list[tuple[str, list[str]]]:
    """(label, text per feature) of the tooltip columns (label, column)."""
    return [(label, [str(v) for v in frame[col].tolist()]) for label, col in columns]


@dataclass(frozen=True)
class EncodedOverlay:
    """One overlay as the map component and the folium maps read it."""
    id: str
    label: str
    json: str
    features: int
    vertices: int
    simplified: bool
    legend: tuple[tuple[str, str, str], ...]
    note: str = ""

    @property
    def nbytes(self) -> int:
        return len(self.json.encode("utf-8"))


def encode_overlay(frame: gpd.GeoDataFrame, *, overlay_id: str, label: str,
                   category_colour: str = "", tooltip: Sequence[tuple[str, str]] = (),
                   simplify_above: int = SIMPLIFY_ABOVE,
                   tolerance: float = SIMPLIFY_TOLERANCE) -> EncodedOverlay:
    """Encode a loaded overlay (:func:`geodata.overlays.load_overlay`) for the browser."""
    style = overlay_style(frame["category"].tolist() if "category" in frame else [],
                          colour=category_colour, label=label,
                          features=frame["feature_id"].tolist() if "feature_id" in frame else None)
    geom = np.asarray(frame.geometry.values, dtype=object)
    kinds = frame["kind"].tolist() if "kind" in frame else []
    n_vertices = int(shapely.get_num_coordinates(geom).sum()) if len(geom) else 0
    simplified = n_vertices > simplify_above
    if simplified:
        shaped = np.array([k != "point" for k in kinds], dtype=bool)
        geom = geom.copy()
        geom[shaped] = shapely.simplify(geom[shaped], tolerance, preserve_topology=True)
    factor = 10 ** PRECISION
    parts_of, n = [], 0
    for g, kind in zip(geom, kinds):
        parts = []
        if kind == "point":
            coords = shapely.get_coordinates(g)
            if len(coords):
                parts.append(_encode_ring(coords, factor))
                n += len(coords)
        else:
            for part in shapely.get_parts(g):
                rings = [part.exterior, *part.interiors] if part.geom_type == "Polygon" \
                    else [part]
                for r in rings:
                    coords = np.asarray(r.coords)
                    if len(coords) >= 2:
                        parts.append(_encode_ring(coords, factor))
                        n += len(coords)
        parts_of.append(parts)
    legend = legend_rows(style)
    kind_counts = pd.Series(kinds, dtype="object").value_counts()
    shape = str(kind_counts.index[0]) if len(kind_counts) else "line"
    # each legend row's swatch: the kind most of its features are (line, point or area)
    by_class = pd.DataFrame({"c": list(style.class_ids), "k": kinds})
    row_shapes = [str(g["k"].value_counts().index[0]) if len(g := by_class[by_class["c"] == j])
                  else shape for j in range(len(style.labels))]
    notes = [style.note] if style.note else []
    if simplified:
        notes.append(t("{n} vertices: simplified to about {metres} m for the screen.",
                       n=format_number(n_vertices, compact=False),
                       metres=format_number(round(tolerance * 111_000), compact=False)))
    payload = {
        "id": overlay_id, "label": label, "f": factor,
        "k": [KIND_CODES.get(k, 0) for k in kinds], "g": parts_of,
        "c": list(style.class_ids), "pal": list(style.colours),
        "legend": [list(r) for r in legend], "shape": shape, "shapes": row_shapes,
        "cat": style.by_category,
        "h": [str(t) for t in frame["title"].tolist()] if "title" in frame else [],
        "rows": [tooltip_row(lab, texts) for lab, texts in tooltip_rows(frame, tooltip)],
        "note": " ".join(notes),
    }
    return EncodedOverlay(id=overlay_id, label=label, json=safe_json(payload),
                          features=int(frame["feature_id"].nunique()) if "feature_id" in frame
                          else len(frame), vertices=n, simplified=simplified,
                          legend=tuple(legend), note=" ".join(notes))


def overlays_json(overlays: Sequence[EncodedOverlay]) -> str | None:
    """The component's ``overlays`` argument: a JSON list of the payloads (None for none)."""
    if not overlays:
        return None
    return "[" + ",".join(o.json for o in overlays) + "]"




def folium_overlays(overlays: str, *, legend_position: str = "topright"):
    """A folium element drawing overlays (the JSON of :func:`overlays_json`) on a folium map
    of the house (the road map, the time slider): the same ``fmOverlays`` as the component."""
    from .render_folium import DECODE_JS, ScriptElement
    from .web import FISCALMAP_CSS

    class _Overlays(ScriptElement):
        js = DECODE_JS + """
fmOverlays({{ this._parent.get_name() }}, {{ this.overlays }}, {{ this.options }});
"""

    return _Overlays("Overlays", overlays=overlays,
                     options=safe_json({"css": FISCALMAP_CSS, "ov_legend_pos": legend_position}))
