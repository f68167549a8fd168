"""A view link with breaks that are no finite numbers opens One map with quantiles and a
warning, never an exception (it once raised, depending on the order of a set)."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import APP, TIMEOUT


@pytest.mark.parametrize("breaks,why", [
    ("nan inf", "finite numbers"), ("inf nan", "finite numbers"),
    ("1e309 2e309", "finite numbers"), ("-inf 0", "finite numbers"),
    (" ".join(str(i) for i in range(1, 40)), "at most 20 breaks")])
def test_one_map_link_with_bad_breaks(breaks, why):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state["ws"] = "us_federal"
    at.query_params["level"] = "state"
    at.query_params["scheme"] = "user_defined"
    at.query_params["breaks"] = breaks
    at.switch_page("pages/one_map.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    warn = " ".join(w.value for w in at.warning)
    assert "Showing quantiles" in warn, warn
    assert why in warn, warn
