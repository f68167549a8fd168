"""What a choropleth map is drawn from, as the browser reads it: the drawing options and the
per-region values of a ChoroplethView. Shared by the app's map component and the folium
renderer; imports no map library, so a page that only shows the component loads none."""
from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from locales import current, t

from .choropleth import MARK_COLOUR, MARK_HALO, MARK_HALO_PX, MARK_WIDTH_PX, ChoroplethView
from .geometry import prune, reuse, safe_json, write_once
from .numbers import unit_label
from .palettes import NO_DATA_LABEL
from .web import FISCALMAP_CSS as _CSS

#: A banded layer's class ids travel as one character per region (class i is
#: ``CLASS_CHARS[i]``, "." is No data) rather than a list of numbers.
CLASS_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
NO_DATA_CHAR = "."
_CLASS_CODES = np.frombuffer(CLASS_CHARS.encode("ascii"), dtype=np.uint8)


@dataclass(frozen=True)
class MapOptions:
    #: Height of the map in px; in the app it is also capped by the browser window (below).
    height: int = 560
    tile_url: str | None = None          # a tile server the site runs; None = no basemap
    tile_attribution: str = ""
    line_colour: str = "#ffffff"
    line_weight: float = 0.4
    selected_colour: str = "#111111"
    fill_opacity: float = 0.88
    legend_position: str = "bottomright"
    #: Kept for callers that pass it: the legend always names the measure now.
    title_on_map: bool = False
    large_type: bool = False             # presentation: legend and tooltips legible far away
    high_contrast: bool = False          # presentation: white ground, black text and borders
    #: The app's map is never taller than the browser window leaves room for: a map near the
    #: top of the page ends above the window's bottom edge (with its legend), one further down
    #: fits the window when scrolled to; ``height`` is then the most it takes. False: always
    #: ``height``.
    fit_window: bool = True
    #: The window never squeezes the map below this height (px).
    min_height: int = 320


def map_options_json(view: ChoroplethView, options: MapOptions, *, banded: bool = False,
                     **extra) -> str:
    """The drawing options fmChoropleth reads (O), as JSON, with the words the map shows in
    the reader's language (O.txt; ``banded``: with those of a large layer's map)."""
    title = view.title or ""
    return safe_json({"fo": options.fill_opacity, "line": options.line_colour,
                      "lw": options.line_weight, "sel": options.selected_colour,
                      "legend_pos": options.legend_position,
                      "title": title, "css": _CSS,
                      "cls": " ".join(c for c, on in (("fm-large", options.large_type),
                                                      ("fm-hc", options.high_contrast)) if on),
                      "fit": [16, int(options.min_height)] if options.fit_window else None,
                      "txt": map_words(title, banded=banded), **extra})


def map_words(title: str, *, banded: bool = False) -> dict[str, str]:
    """The words of the map itself: its accessible name, the skip link, the legend's column
    heads (the count column is headed by the regions' plural name when the layer has one),
    and (``banded``) what a large layer's map says while its regions are on their way."""
    words = {"name": t("Map: {title}", title=title) if title else t("Map"),
             "skip": t("Skip the map"), "cls": t("Class"), "count": t("Regions"),
             "hide": t("Hide"), "show": t("Show legend"),
             "lang": current()}
    if banded:
        words["loading"] = t("Loading the regions…")
    return words


def values_payload(view: ChoroplethView, *, files: Path | str | None = None) -> str:
    """The per-feature part of the map: what changes when only the values change. Marked
    regions (``view.marked``) travel with it: ``m`` their feature positions, ``mk`` the
    legend row [label, count] and ``mks`` the outline [colour, width, halo colour, halo width]
    (px).

    ``files``: the folder of a banded layer (:func:`layers.geometry.encode_layer`). The class
    ids then travel as one string (``cs``, see :data:`CLASS_CHARS`) and the tooltip texts of
    every region go to a file there (``tf``, :func:`tooltip_file`) that the map fetches when
    the reader first points at a region, so a rerun of 100,000 regions stays small."""
    legend = [[t("No data") if e.class_id < 0 and e.label == NO_DATA_LABEL else e.label,
               e.colour, f"{e.count:,}", e.class_id] for e in view.legend]
    marks = {}
    if view.marked:
        positions = view.marked_positions()
        marks = {"m": positions, "mk": [view.marked_label or t("Marked"), f"{len(positions):,}"],
                 "mks": [MARK_COLOUR, MARK_WIDTH_PX, MARK_HALO, MARK_HALO_PX]}
    common = {"pal": list(view.class_colours), "nd": view.no_data_colour, "label": view.title,
              "legend": legend, "unit_label": unit_label(view.subtitle or view.unit),
              "sel": view.selected}
    if files is not None:
        cs = class_string(view.class_ids)
        per_region = {"cs": cs} if cs is not None else {"c": view.class_ids.tolist()}
        si = _position(view.region_ids, view.selected)
        return safe_json({**marks, **per_region, **common, "si": si,
                          "tf": tooltip_file(view, files)})
    return safe_json({**marks, "c": view.class_ids.tolist(), "v": list(view.value_text),
                      "rows": [[label, list(texts)] for label, texts in view.tooltip_rows],
                      **common})


def class_string(class_ids) -> str | None:
    """Class ids as one character each (:data:`CLASS_CHARS`, "." for No data), or None when
    there are more classes than characters."""
    c = np.asarray(class_ids, dtype=np.int64)
    if len(c) and int(c.max()) >= len(CLASS_CHARS):
        return None
    out = np.where(c < 0, ord(NO_DATA_CHAR), _CLASS_CODES[np.clip(c, 0, None)])
    return out.astype(np.uint8).tobytes().decode("ascii")


def _position(region_ids, region_id: str | None) -> int:
    if not region_id:
        return -1
    try:
        return region_ids.index(region_id)
    except ValueError:
        return -1


def tooltip_text(view: ChoroplethView) -> str:
    """The tooltip texts of every region of a banded map, as the map reads them: ``v`` the
    values, ``rows`` [label, texts] (the texts of ``view``, the same figures as every other
    surface), the texts of a list joined by line breaks (one string is much quicker to write
    and to read than a hundred thousand; a text never holds a line break)."""
    def joined(texts) -> str:
        out = "\n".join(texts)
        return out if out.count("\n") == len(texts) - 1 else \
            "\n".join(str(x).replace("\n", " ") for x in texts)

    return safe_json({"v": joined(view.value_text),
                      "rows": [[label, joined(texts)] for label, texts in view.tooltip_rows]})


_WRITING: set[str] = set()
_WRITING_LOCK = threading.Lock()


def tooltip_file(view: ChoroplethView, folder: Path | str, *, background: bool = True) -> str:
    """The name of the file in ``folder`` holding :func:`tooltip_text` of ``view``
    (``t-<hash of the text>.json.gz``), written when new. ``background``: written by a thread
    of its own, so the rerun does not wait for it (the map asks for it only when the reader
    points at a region, and asks again while it is not there yet)."""
    text = tooltip_text(view)
    name = "t-" + hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest() + ".json.gz"
    path = Path(folder) / name
    if reuse(path):                      # there already (and now marked as in use)
        return name
    if not background:
        write_once(folder, name, text, gz=True, level=1)
        return name
    with _WRITING_LOCK:
        if str(path) in _WRITING:
            return name
        _WRITING.add(str(path))

    def write() -> None:
        try:
            write_once(folder, name, text, gz=True, level=1)
            prune(folder)                # tooltip texts nobody asked for in two days
        except OSError as exc:
            logging.getLogger(__name__).warning("tooltip texts not written to %s (%s)",
                                                path, exc)
        finally:
            with _WRITING_LOCK:
                _WRITING.discard(str(path))

    threading.Thread(target=write, name="fiscalmap-tooltips", daemon=True).start()
    return name
