"""AppTest of the Hearing page with views files that once took it down: views sharing an id
(edited by hand, or imported with "replace"), and a view link with breaks that are no
numbers."""
from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from tests.app.test_hearing_page import _run, slide, store  # noqa: F401 - the page's fixture and runner


def _write(store, views) -> None:
    store.folder.mkdir(parents=True, exist_ok=True)
    store.path.write_text(json.dumps({"format": "fiscalmap-views", "version": 1,
                                      "workspace": "us_federal", "views": views}), "utf-8")


def test_views_sharing_an_id_are_shown_repaired_and_can_be_changed(store):
    _write(store, [
        {"id": "same0001", "title": "States", "query": {"level": "state", "measure": "total"}},
        {"id": "same0001", "title": "Counties",
         "query": {"level": "county", "measure": "indicator"}},
    ])
    at = _run()
    warn = " ".join(w.value for w in at.warning)
    assert "had the id" in warn and "same0001" in warn, warn
    shown = " ".join(m.value for m in at.markdown)
    assert "States" in shown and "Counties" in shown
    # every row works: move the repaired view up, by the button of its (new) id
    repaired = store.list()[1].id
    assert repaired != "same0001"
    at.button(key=f"up_{repaired}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [v.title for v in store.list()] == ["Counties", "States"]
    assert len({v.id for v in store.list()}) == 2
    # presenting works too
    at.button(key="present_btn").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert slide(at)["fm-pcount"] == "1 / 2"


def test_presenting_a_view_with_breaks_that_are_no_numbers(store):
    store.save("Bad breaks", {"level": "state", "measure": "total", "scheme": "user_defined",
                              "breaks": "nan inf"})
    store.save("Too many", {"level": "state", "measure": "total", "scheme": "user_defined",
                            "breaks": " ".join(str(i) for i in range(1, 30))})
    at = _run(present="1", slide="1")
    warn = " ".join(w.value for w in at.warning)
    assert "finite numbers" in warn, warn
    at.button(key="fm_next").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "at most 20 breaks" in " ".join(w.value for w in at.warning)
