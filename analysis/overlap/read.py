"""Reading a workspace's line-item table as the overlap check takes it."""
from __future__ import annotations

import numpy as np
import pandas as pd

from geodata.problems import Text, as_text
from locales import N_

from .. import AnalysisError
from .rules import OverlapRules


def read_line_items(ws, rules: OverlapRules) -> tuple[pd.DataFrame, list[Text]]:
    """Every column of the line-item table's file as text (the workspace's reader: encoding,
    separator, sheet and layout as the manifest says), with ``_line``: the row's line in the
    file as a spreadsheet shows it."""
    from geodata.load import table_layout
    from geodata.readers.text import max_file_bytes, read_table_file

    if not rules.table:
        raise AnalysisError(Text(N_("[overlap]: 'table' is required: the id of the table whose "
                                    "file holds the line items")))
    spec = ws.table(rules.table)
    res = read_table_file(spec.file, encoding=spec.encoding,
                          separator=spec.options.get("separator"),
                          sheet=spec.options.get("sheet"),
                          max_bytes=max_file_bytes(spec.options.get("max_file_mb",
                                                                    ws.max_file_mb)),
                          layout=table_layout(spec))
    frame = res.frame.copy()
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    if len(frame):
        frame["_line"] = np.asarray(res.lines, dtype=np.int64)
    return frame, [as_text(n.message) for n in res.notes]
