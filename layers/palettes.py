"""Colour-blind-safe colour palettes for choropleth maps.

Everything here is plain data: the colours are embedded as hex literals so the
module has no runtime dependency.

* ColorBrewer (Cynthia Brewer, colorbrewer2.org) schemes are embedded exactly,
  one list per class count k = 3..9 (ColorBrewer's lists are not simple
  subsets of one another, so they are not interpolated).
* ``viridis`` and ``cividis`` are sampled at k evenly spaced points from the
  matplotlib colour maps, ends included.
* ``BIVARIATE_3X3`` is Joshua Stevens' blue/pink 3x3 bivariate scheme.

Sequential palettes run from light (low values) to dark (high values), except
viridis/cividis, which run dark to light, as in matplotlib. Diverging palettes
put the neutral colour in the middle; with an even k there is no neutral class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, Mapping

from locales import N_

__all__ = [
    "BIVARIATE_3X3",
    "MAX_CLASSES",
    "MIN_CLASSES",
    "NO_DATA_COLOUR",
    "NO_DATA_HATCH",
    "NO_DATA_LABEL",
    "PALETTES",
    "PaletteInfo",
    "QUALITATIVE",
    "QUALITATIVE_OTHER",
    "get_palette",
    "palette_names",
    "text_colour_for",
]

MIN_CLASSES = 3
MAX_CLASSES = 9

#: Fill for regions without a value: a neutral light grey that is not part of
#: any palette here. Pair it with ``NO_DATA_HATCH`` where hatching is available,
#: so "no data" does not read as "low".
NO_DATA_COLOUR = "#d9d9d9"
#: Suggested hatch pattern for no-data regions (matplotlib hatch syntax).
NO_DATA_HATCH = "///"
#: The legend's and the tooltip's word for a region without a value: a message id, shown
#: through ``locales.t`` (or ``layers.numbers.no_data()``) in the reader's language.
NO_DATA_LABEL = N_("No data")

#: Colours for categories (overlay legends): Paul Tol's "muted" qualitative scheme, nine
#: colours told apart with the common colour-vision deficiencies (personal.sron.nl/~pault).
#: Categories beyond these nine are drawn together as "Other" in ``QUALITATIVE_OTHER``.
QUALITATIVE: tuple[str, ...] = ("#332288", "#CC6677", "#117733", "#DDCC77", "#88CCEE",
                                "#882255", "#44AA99", "#999933", "#AA4499")
QUALITATIVE_OTHER = "#7F7F7F"

#: Joshua Stevens' 3x3 bivariate scheme (blue for variable A, pink for
#: variable B). Indexed ``BIVARIATE_3X3[b][a]`` where ``a`` is the class of the
#: horizontal variable and ``b`` the class of the vertical one, each 0 = low,
#: 2 = high. Corners: [0][0] light grey (both low), [0][2] teal (A high only),
#: [2][0] pink (B high only), [2][2] dark blue-purple (both high).
BIVARIATE_3X3: list[list[str]] = [
    ["#e8e8e8", "#ace4e4", "#5ac8c8"],
    ["#dfb0d6", "#a5add3", "#5698b9"],
    ["#be64ac", "#8c62aa", "#3b4994"],
]

_YLGNBU: dict[int, tuple[str, ...]] = {
    3: ("#edf8b1", "#7fcdbb", "#2c7fb8"),
    4: ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"),
    5: ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
    6: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"),
    7: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"),
    8: ("#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"),
    9: (
        "#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4",
        "#1d91c0", "#225ea8", "#253494", "#081d58",
    ),
}

_BLUES: dict[int, tuple[str, ...]] = {
    3: ("#deebf7", "#9ecae1", "#3182bd"),
    4: ("#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"),
    5: ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"),
    6: ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"),
    7: ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"),
    8: ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"),
    9: (
        "#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6",
        "#4292c6", "#2171b5", "#08519c", "#08306b",
    ),
}

_GREENS: dict[int, tuple[str, ...]] = {
    3: ("#e5f5e0", "#a1d99b", "#31a354"),
    4: ("#edf8e9", "#bae4b3", "#74c476", "#238b45"),
    5: ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c"),
    6: ("#edf8e9", "#c7e9c0", "#a1d99b", "#74c476", "#31a354", "#006d2c"),
    7: ("#edf8e9", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#005a32"),
    8: ("#f7fcf5", "#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#005a32"),
    9: (
        "#f7fcf5", "#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476",
        "#41ab5d", "#238b45", "#006d2c", "#00441b",
    ),
}

_ORANGES: dict[int, tuple[str, ...]] = {
    3: ("#fee6ce", "#fdae6b", "#e6550d"),
    4: ("#feedde", "#fdbe85", "#fd8d3c", "#d94701"),
    5: ("#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603"),
    6: ("#feedde", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603"),
    7: ("#feedde", "#fdd0a2", "#fdae6b", "#fd8d3c", "#f16913", "#d94801", "#8c2d04"),
    8: ("#fff5eb", "#fee6ce", "#fdd0a2", "#fdae6b", "#fd8d3c", "#f16913", "#d94801", "#8c2d04"),
    9: (
        "#fff5eb", "#fee6ce", "#fdd0a2", "#fdae6b", "#fd8d3c",
        "#f16913", "#d94801", "#a63603", "#7f2704",
    ),
}

_PURPLES: dict[int, tuple[str, ...]] = {
    3: ("#efedf5", "#bcbddc", "#756bb1"),
    4: ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#6a51a3"),
    5: ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"),
    6: ("#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f"),
    7: ("#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#4a1486"),
    8: ("#fcfbfd", "#efedf5", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#4a1486"),
    9: (
        "#fcfbfd", "#efedf5", "#dadaeb", "#bcbddc", "#9e9ac8",
        "#807dba", "#6a51a3", "#54278f", "#3f007d",
    ),
}

_YLORRD: dict[int, tuple[str, ...]] = {
    3: ("#ffeda0", "#feb24c", "#f03b20"),
    4: ("#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"),
    5: ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
    6: ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"),
    7: ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"),
    8: ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"),
    9: (
        "#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c",
        "#fc4e2a", "#e31a1c", "#bd0026", "#800026",
    ),
}

_RDBU: dict[int, tuple[str, ...]] = {
    3: ("#ef8a62", "#f7f7f7", "#67a9cf"),
    4: ("#ca0020", "#f4a582", "#92c5de", "#0571b0"),
    5: ("#ca0020", "#f4a582", "#f7f7f7", "#92c5de", "#0571b0"),
    6: ("#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"),
    7: ("#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf", "#2166ac"),
    8: ("#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#d1e5f0", "#92c5de", "#4393c3", "#2166ac"),
    9: (
        "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7",
        "#d1e5f0", "#92c5de", "#4393c3", "#2166ac",
    ),
}

_PUOR: dict[int, tuple[str, ...]] = {
    3: ("#f1a340", "#f7f7f7", "#998ec3"),
    4: ("#e66101", "#fdb863", "#b2abd2", "#5e3c99"),
    5: ("#e66101", "#fdb863", "#f7f7f7", "#b2abd2", "#5e3c99"),
    6: ("#b35806", "#f1a340", "#fee0b6", "#d8daeb", "#998ec3", "#542788"),
    7: ("#b35806", "#f1a340", "#fee0b6", "#f7f7f7", "#d8daeb", "#998ec3", "#542788"),
    8: ("#b35806", "#e08214", "#fdb863", "#fee0b6", "#d8daeb", "#b2abd2", "#8073ac", "#542788"),
    9: (
        "#b35806", "#e08214", "#fdb863", "#fee0b6", "#f7f7f7",
        "#d8daeb", "#b2abd2", "#8073ac", "#542788",
    ),
}

_BRBG: dict[int, tuple[str, ...]] = {
    3: ("#d8b365", "#f5f5f5", "#5ab4ac"),
    4: ("#a6611a", "#dfc27d", "#80cdc1", "#018571"),
    5: ("#a6611a", "#dfc27d", "#f5f5f5", "#80cdc1", "#018571"),
    6: ("#8c510a", "#d8b365", "#f6e8c3", "#c7eae5", "#5ab4ac", "#01665e"),
    7: ("#8c510a", "#d8b365", "#f6e8c3", "#f5f5f5", "#c7eae5", "#5ab4ac", "#01665e"),
    8: ("#8c510a", "#bf812d", "#dfc27d", "#f6e8c3", "#c7eae5", "#80cdc1", "#35978f", "#01665e"),
    9: (
        "#8c510a", "#bf812d", "#dfc27d", "#f6e8c3", "#f5f5f5",
        "#c7eae5", "#80cdc1", "#35978f", "#01665e",
    ),
}

_VIRIDIS: dict[int, tuple[str, ...]] = {
    3: ("#440154", "#21918c", "#fde725"),
    4: ("#440154", "#31688e", "#35b779", "#fde725"),
    5: ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"),
    6: ("#440154", "#414487", "#2a788e", "#22a884", "#7ad151", "#fde725"),
    7: ("#440154", "#443983", "#31688e", "#21918c", "#35b779", "#90d743", "#fde725"),
    8: ("#440154", "#46327e", "#365c8d", "#277f8e", "#1fa187", "#4ac16d", "#a0da39", "#fde725"),
    9: (
        "#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c",
        "#28ae80", "#5ec962", "#addc30", "#fde725",
    ),
}

_CIVIDIS: dict[int, tuple[str, ...]] = {
    3: ("#00224e", "#7d7c78", "#fee838"),
    4: ("#00224e", "#575d6d", "#a59c74", "#fee838"),
    5: ("#00224e", "#434e6c", "#7d7c78", "#bcae6c", "#fee838"),
    6: ("#00224e", "#35456c", "#666970", "#948e77", "#c8b866", "#fee838"),
    7: ("#00224e", "#2a3f6d", "#575d6d", "#7d7c78", "#a59c74", "#d2c060", "#fee838"),
    8: ("#00224e", "#213b6e", "#4c556c", "#6c6e72", "#8e8978", "#b1a570", "#d9c55c", "#fee838"),
    9: (
        "#00224e", "#1a386f", "#434e6c", "#61656f", "#7d7c78",
        "#9b9476", "#bcae6c", "#dec958", "#fee838",
    ),
}

PaletteKind = Literal["sequential", "diverging"]
_KINDS: tuple[str, ...] = ("sequential", "diverging")


@dataclass(frozen=True)
class PaletteInfo:
    """Metadata and colours of one palette."""

    name: str
    kind: PaletteKind
    colour_blind_safe: bool
    source: str
    colours: Mapping[int, tuple[str, ...]]

    @property
    def class_counts(self) -> tuple[int, ...]:
        return tuple(sorted(self.colours))


def _info(name: str, kind: PaletteKind, source: str, colours) -> PaletteInfo:
    return PaletteInfo(
        name=name,
        kind=kind,
        colour_blind_safe=True,
        source=source,
        colours=MappingProxyType(dict(colours)),
    )


PALETTES: Mapping[str, PaletteInfo] = MappingProxyType(
    {
        info.name: info
        for info in (
            _info("YlGnBu", "sequential", "ColorBrewer", _YLGNBU),
            _info("Blues", "sequential", "ColorBrewer", _BLUES),
            _info("Greens", "sequential", "ColorBrewer", _GREENS),
            _info("Oranges", "sequential", "ColorBrewer", _ORANGES),
            _info("Purples", "sequential", "ColorBrewer", _PURPLES),
            _info("YlOrRd", "sequential", "ColorBrewer", _YLORRD),
            _info("viridis", "sequential", "matplotlib (sampled)", _VIRIDIS),
            _info("cividis", "sequential", "matplotlib (sampled)", _CIVIDIS),
            _info("RdBu", "diverging", "ColorBrewer", _RDBU),
            _info("PuOr", "diverging", "ColorBrewer", _PUOR),
            _info("BrBG", "diverging", "ColorBrewer", _BRBG),
        )
    }
)


def palette_names(kind: str | None = None) -> list[str]:
    """Names of the registered palettes, optionally only those of one kind."""
    if kind is None:
        return list(PALETTES)
    if kind not in _KINDS:
        raise ValueError(f"Unknown palette kind {kind!r}; valid kinds: {', '.join(_KINDS)}")
    return [name for name, info in PALETTES.items() if info.kind == kind]


def _lookup(name: str) -> PaletteInfo:
    info = PALETTES.get(name)
    if info is None and isinstance(name, str):
        folded = {key.casefold(): value for key, value in PALETTES.items()}
        info = folded.get(name.casefold())
    if info is None:
        raise ValueError(f"Unknown palette {name!r}; valid palettes: {', '.join(PALETTES)}")
    return info


def get_palette(name: str, k: int, *, reverse: bool = False) -> list[str]:
    """The ``k`` colours (``MIN_CLASSES`` <= k <= ``MAX_CLASSES``) of a palette.

    Names are matched case-insensitively. ``reverse=True`` flips the order
    (e.g. dark for low values).
    """
    info = _lookup(name)
    if isinstance(k, bool) or not isinstance(k, int) or k not in info.colours:
        raise ValueError(
            f"Palette {info.name!r} has {MIN_CLASSES}..{MAX_CLASSES} classes; got k={k!r}"
        )
    colours = list(info.colours[k])
    if reverse:
        colours.reverse()
    return colours


_HEX_RE = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    match = _HEX_RE.match(hex_colour.strip()) if isinstance(hex_colour, str) else None
    if match is None:
        raise ValueError(f"Not a hex colour: {hex_colour!r}")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def _relative_luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour, 0 (black) .. 1 (white)."""

    def linear(channel: int) -> float:
        c = channel / 255.0
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_colour_for(hex_colour: str) -> str:
    """Black or white, whichever has the higher WCAG contrast on ``hex_colour``."""
    lum = _relative_luminance(hex_colour)
    contrast_black = (lum + 0.05) / 0.05
    contrast_white = 1.05 / (lum + 0.05)
    return "#000000" if contrast_black >= contrast_white else "#ffffff"
