"""Analysis on the map: questions a budget analyst asks of a mapped measure.

Which regions are out of line (:mod:`analysis.outliers`), where high or low values cluster
(:mod:`analysis.spatial`), which regions are alike (:mod:`analysis.peers`), what money goes
with (:mod:`analysis.regression`) and which line items fund the same recipient twice
(:mod:`analysis.overlap`). Pure functions over pandas and GeoPandas objects, built on the field's
libraries (PySAL, scikit-learn, statsmodels, mapclassify); each result states its method,
parameters and assumptions, counts what it left out, and a method that cannot run says why.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from geodata.problems import Text

if TYPE_CHECKING:
    from layers.choropleth import ChoroplethView


class AnalysisError(ValueError):
    """A method that cannot run on this input; the message says why and what it needs."""

    def __init__(self, message: Text | str):
        super().__init__(str(message))
        self.message = message

    def __str__(self) -> str:      # in the language of the run that shows it
        return str(self.message)


@dataclass(frozen=True)
class Excluded:
    """Regions left out of a method, and why (one reason per entry)."""

    reason: Text
    ids: tuple[str, ...]
    names: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.ids)


class Reported:
    """Of a result with ``excluded`` (a tuple of :class:`Excluded`): how many regions were
    left out, all reasons together."""

    excluded: tuple[Excluded, ...]

    @property
    def n_excluded(self) -> int:
        return sum(e.count for e in self.excluded)


@dataclass(frozen=True)
class AnalysisMap:
    """The map of one analysis view, as the page and every export draw it: the coloured view,
    its title and subtitle, the method statement printed under it (parameters and
    assumptions), and the workspace files it reads (named in the source line)."""

    view: "ChoroplethView"
    title: str
    subtitle: str
    methodology: str
    files: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
