"""Status maps: each region coloured by its target status, with the rule in the legend.

:func:`status_view` is :func:`layers.categorical.build_categorical` with the target statuses'
fixed classes — met, at risk, missed, no target, then the usual "No data" — and their colours
(ColorBrewer RdBu and YlOrRd from :mod:`layers.palettes`: blue, orange, red, a near-white for
"no target", the app's grey for "No data"), told apart with the common colour-vision
deficiencies. Every class is also named in words in the legend and the tooltip, so the map
never relies on colour alone. It returns the same ChoroplethView as every other map.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import pandas as pd

from locales import N_, t

from .categorical import build_categorical
from .choropleth import ChoroplethView
from .palettes import get_palette

MET, AT_RISK, MISSED, NO_TARGET, NO_DATA = "met", "at risk", "missed", "no target", "no data"
#: The classes in legend order ("no data" is the No data class, drawn last).
STATUS_CLASSES = (MET, AT_RISK, MISSED, NO_TARGET)
#: The statuses in words (the codes above are data): message ids, shown with ``locales.t``.
STATUS_WORDS = {MET: N_("met"), AT_RISK: N_("at risk"), MISSED: N_("missed"),
                NO_TARGET: N_("no target"), NO_DATA: N_("no data")}
_RDBU = get_palette("RdBu", 5)
STATUS_COLOURS = {MET: _RDBU[4], AT_RISK: get_palette("YlOrRd", 3)[1], MISSED: _RDBU[0],
                  NO_TARGET: _RDBU[2]}


def status_view(region_ids: Sequence[str], statuses: pd.Series, *, title: str,
                rule: str = "", class_rules: Mapping[str, str] | None = None,
                tooltip_rows: Sequence[tuple[str, Sequence[str]]] = (),
                notes: Sequence[str] = (), selected: str | None = None) -> ChoroplethView:
    """A map of statuses by region id ("met", "at risk", "missed", "no target"; anything else,
    "no data" included, is No data).

    ``rule``: the rule in one sentence, printed at the top of the legend. ``class_rules``:
    a short rule per class, added to its legend label ("met ≤ 5%"). The tooltip shows the
    status word itself. Statuses are named in the run's language.
    """
    class_rules = class_rules or {}
    classes = [(s, f"{t(STATUS_WORDS[s])} {class_rules[s]}" if class_rules.get(s)
                else t(STATUS_WORDS[s]), STATUS_COLOURS[s]) for s in STATUS_CLASSES]
    words = statuses.map(lambda s: t(STATUS_WORDS[s]) if isinstance(s, str) and
                         s in STATUS_WORDS else s)
    return build_categorical(region_ids, statuses, classes, title=title, subtitle=rule,
                             notes=notes, tooltip_rows=tooltip_rows, value_text=words,
                             selected=selected)
