"""Road condition by area: segments, town bins, targets, trend and where to invest.

The steps, each a pure function, one module each:

``config``     ``road_config(ws)``: the workspace's ``[roads]`` settings (scheme, targets,
               bins, timeline)
``segments``   ``load_segments`` (any GDAL line file → canonical segments in EPSG:4326 +
               problems), ``split_by_area`` (segments cut at area boundaries, lengths in metres
               in the local UTM zone, parts outside every area reported), ``load_network``
``aggregate``  ``condition_by_area`` / ``bins_by_area``: length per condition class per area
``targets``    ``with_status``: shares and target status (met / at risk / missed), the
               region-wide figure
``trend``      ``area_trend`` / ``segment_trend`` / ``change_between``: the survey timeline
``ranking``    ``invest_ranking``: areas ranked by poor length against money per mile or resident
``condition``  ``road_condition``: the one recipe per scheme and road class; ``load_roads``
``view``       the town layers as ChoroplethViews (the page's and the exports' recipe)
``tables``     the page's tables with labelled columns, for the screen and the CSV
``text``       how lengths, shares and statuses read

Shares are of the *rated* length (length with a score in the scheme's range); length with no
score is its own "No data" class, counted and shown, never dropped.

Everything callers use is importable from ``geodata.roads`` itself.
"""
from __future__ import annotations

from .aggregate import (LENGTH_COLUMNS, bins_by_area, class_columns, combine,
                        condition_by_area, load_bins)
from .condition import (RoadCondition, RoadData, load_roads, methodology, road_classes,
                        road_condition)
from .config import (METRES_PER, UNIT_WORDS, BinSpec, RoadConfig, Targets, TimelineSpec,
                     road_config)
from .ranking import invest_ranking
from .segments import (OUTSIDE_TOLERANCE_M, SEGMENT_COLUMNS, ZERO_LENGTH_M, RoadNetwork,
                       load_network, load_segments, metric_crs, score_problems, split_by_area)
from .targets import (STATUS_ORDER, RegionFigure, region_figure, target_status,
                      target_statuses, with_status)
from .text import STATUS_LABELS, length_text, lower_first, share_text, status_label
from .trend import (area_trend, change_between, load_timeline, segment_trend,
                    timeline_matches)
from .view import (FUNDING_LAYERS, ROAD_LAYERS, class_lengths, funding_layer_view,
                   road_layer_labels, road_layer_view, zero_label)

__all__ = [
    "BinSpec", "FUNDING_LAYERS", "LENGTH_COLUMNS", "METRES_PER", "OUTSIDE_TOLERANCE_M",
    "ROAD_LAYERS", "RegionFigure", "RoadCondition", "RoadConfig", "RoadData", "RoadNetwork",
    "SEGMENT_COLUMNS", "STATUS_LABELS", "STATUS_ORDER", "Targets", "TimelineSpec", "UNIT_WORDS",
    "ZERO_LENGTH_M", "area_trend", "bins_by_area", "change_between", "class_columns",
    "class_lengths", "combine", "condition_by_area", "funding_layer_view", "invest_ranking",
    "length_text", "load_bins", "load_network", "load_roads", "load_segments", "load_timeline",
    "lower_first", "methodology", "metric_crs", "region_figure", "road_classes", "road_condition",
    "road_config", "road_layer_labels", "road_layer_view", "score_problems", "segment_trend",
    "share_text", "split_by_area", "status_label", "target_status", "target_statuses",
    "timeline_matches", "with_status", "zero_label",
]
