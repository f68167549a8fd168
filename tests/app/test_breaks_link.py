"""A view link with breaks that are no finite numbers opens One map with quantiles and a
warning, never an exception (it once raised, depending on the order of a set). The warning is
in the sidebar itself, not inside the closed "Classes and colours" section, which opens."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, TIMEOUT


def _open(**query) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state["ws"] = "us_federal"
    for k, v in query.items():
        at.query_params[k] = v
    at.switch_page("pages/one_map.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _classes(at: AppTest):
    (box,) = [e for e in at.sidebar.expander if e.label == "Classes and colours"]
    return box


@pytest.mark.parametrize("breaks,why", [
    ("nan inf", "Breaks must be finite numbers, e.g. 10 20 50; got 'nan', 'inf'"),
    ("inf nan", "Breaks must be finite numbers, e.g. 10 20 50; got 'inf', 'nan'"),
    ("1e309 2e309", "Breaks must be finite numbers, e.g. 10 20 50; got '1e309', '2e309'"),
    ("-inf 0", "Breaks must be finite numbers, e.g. 10 20 50; got '-inf'"),
    (" ".join(str(i) for i in range(1, 40)), "Enter at most 20 breaks; got 39.")])
def test_one_map_link_with_bad_breaks(breaks, why):
    at = _open(level="state", scheme="user_defined", breaks=breaks)
    (warn,) = [w.value.replace("\\", "") for w in at.sidebar.warning]
    assert warn.startswith(why) and warn.endswith(" Showing quantiles meanwhile."), warn
    assert [w.value for w in _classes(at).warning] == []      # not hidden in the section
    assert _classes(at).proto.expanded is True     # which opens to correct them


def test_good_breaks_leave_the_section_closed():
    at = _open(level="state", scheme="user_defined", breaks="1000 5000 20000")
    assert [w.value for w in at.sidebar.warning] == []
    assert _classes(at).proto.expanded is False


def test_blank_breaks_ask_for_breaks():
    at = _open(level="state", scheme="user_defined")
    assert [w.value for w in at.sidebar.warning] == [
        "Enter your breaks (upper bounds, e.g. 1000 5000 20000). Showing quantiles meanwhile."]
