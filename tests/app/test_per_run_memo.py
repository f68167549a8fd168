"""ui.cache.per_run: made once per script run, again on the next run."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _script():
    import streamlit as st

    from ui import cache

    calls = st.session_state.setdefault("calls", [0])

    def make():
        calls[0] += 1
        return calls[0]

    first, second = cache.per_run("k", make), cache.per_run("k", make)
    st.markdown(f"{first} {second} {cache.per_run('other', make)}")


def test_made_once_per_run_and_again_next_run():
    at = AppTest.from_function(_script)
    at.run()
    assert at.markdown[0].value == "1 1 2"
    at.run()
    assert at.markdown[0].value == "3 3 4"


def test_outside_a_run_it_is_just_the_call():
    from ui import cache
    calls = []
    assert [cache.per_run("k", lambda: calls.append(1) or len(calls)) for _ in range(2)] == [1, 2]
