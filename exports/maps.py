"""Map exports of a composed view: static snapshots (PNG/SVG/PDF) and offline HTML."""
from __future__ import annotations

from typing import Sequence

from geodata.dataset import WorkspaceData
from layers.assets import standalone_html
from layers.geometry import EncodedLayer, encode_layer, prepare_geometry
from layers.render_folium import MapOptions, build_map
from layers.render_static import (Overlay, StaticLayer, draw, map_frame, prepare_static,
                                  to_bytes)
from locales import t

from geodata.roads import ROAD_LAYERS

from .compose import Composed

MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf",
        "html": "text/html", "csv": "text/csv", "geojson": "application/geo+json",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def static_layer(data: WorkspaceData, level: str) -> StaticLayer:
    """Boundaries of ``level`` prepared for the static renderer, framed by the manifest's
    ``[map]`` table (metric CRS, bounds, insets). Costly: callers keep the result."""
    frame, _problems = map_frame(data.ws.settings)
    return prepare_static(data.boundaries(level), frame)


def frame_problems(data: WorkspaceData) -> list[str]:
    return map_frame(data.ws.settings)[1]


def snapshot(data: WorkspaceData, c: Composed, fmt: str, *, layer: StaticLayer | None = None,
             dpi: int = 200, size: str = "16:9", title: str | None = None, note: str = "",
             overlays: Sequence[Overlay] = ()) -> bytes:
    """PNG, SVG or PDF of a composed view, with title, subtitle, legend, source line, and
    the view's key figures as the first note under the map (as on the hearing pack's map
    pages: the figures One map shows)."""
    layer = layer or static_layer(data, c.vs.level)
    foot = [c.figures.line(), *footnotes(c)]
    if c.ignored:
        foot.append(t("Link parameters ignored: {params}", params="; ".join(c.ignored)))
    snap = draw(layer, c.view, title=title or c.title,
                subtitle=c.subtitle if title is None else f"{c.title} · {c.subtitle}",
                source=c.source, note=note, footnotes=foot, size=size, dpi=dpi,
                overlays=tuple(overlays) or c.static_overlays, legend_title=legend_title(c))
    return to_bytes(snap, fmt, dpi if fmt == "png" else 72)


def footnotes(c: Composed) -> list[str]:
    """Notes under a map image: the methodology line of a roads view first, then the
    measure's notes."""
    return ([c.methodology] if c.methodology else []) + \
        ([] if c.vs.road_layer in ROAD_LAYERS else list(c.mv.notes))


def legend_title(c: Composed) -> str | None:
    """A short legend head where the view's unit is a sentence (a roads view's target, a
    scorecard's rule)."""
    return t("Target status") if c.vs.road_layer == "status" or c.vs.page == "scorecard" \
        else None


def encoded_overlays(data: WorkspaceData, c: Composed, overlay=None) -> list:
    """The view's workspace overlays encoded for an interactive map, as the app encodes them
    (``overlay`` reads one by id; the file is read when not given)."""
    from geodata.overlays import tooltip_columns
    from layers.overlay import encode_overlay

    from .compose import load_overlay_frame

    specs = {o.id: o for o in data.ws.overlays}
    out = []
    for oid in c.vs.overlays:
        spec = specs.get(oid)
        if spec is None:
            continue
        gdf, _ = overlay(oid) if overlay else load_overlay_frame(data, oid)
        out.append(encode_overlay(gdf, overlay_id=spec.id, label=spec.display_label,
                                  category_colour=spec.colour,
                                  tooltip=tooltip_columns(spec, gdf)))
    return out


def html(data: WorkspaceData, c: Composed, *, layer: EncodedLayer | None = None,
         options: MapOptions | None = None, rd=None, road_lines=None,
         encoded: Sequence | None = None, road_condition=None) -> bytes:
    """A single HTML file of the interactive map that opens with no network (with the road
    segments of a roads view that shows them, and the workspace overlays the view names;
    ``encoded``: those overlays already encoded, see :func:`encoded_overlays`). The segments
    are the Roads page's overlay (:func:`exports.roads.view_overlay`), drawn by the same code
    as the overlays; ``rd``, ``road_lines`` and ``road_condition`` are the app's caches."""
    from layers.overlay import folium_overlays, overlays_json

    from .roads import view_overlay

    layer = layer or encode_layer(prepare_geometry(data.boundaries(c.vs.level)))
    opts = options or MapOptions(title_on_map=True)
    road = view_overlay(data, c, rd=rd, lines=road_lines, road_condition=road_condition)
    drawn = overlays_json([*([road] if road else []),
                           *(encoded if encoded is not None else encoded_overlays(data, c))])
    m = build_map(layer, c.view, opts, extra_layers=[folium_overlays(drawn)] if drawn else [])
    text = standalone_html(m)
    return text.encode("utf-8")
