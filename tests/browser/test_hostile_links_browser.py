"""A hostile link in a real browser: Markdown and HTML in the query string show as text, no image
or link is made of them and nothing is fetched from outside the machine."""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest

from tests.browser.conftest import ARTIFACTS, MAP_IFRAME, assert_offline, open_app, wait_for_map

pytestmark = pytest.mark.browser

HOST = "203.0.113.9"            # TEST-NET-3: never routed (and blocked by the harness anyway)
IMAGE = f"![b](http://{HOST}/x.png)"
LINK = f"[x](http://{HOST}/)"
TAG = f"<img src=http://{HOST}/y.png onerror=alert(1)>"

# Every image and link in the page and in its frames: (src or href, frame url).
_COLLECT = """() => [
  ...Array.from(document.querySelectorAll('img, image, source, video, audio, iframe[src]'))
        .map(e => ['src', e.currentSrc || e.src || e.getAttribute('href') || '']),
  ...Array.from(document.querySelectorAll('a[href]')).map(e => ['href', e.href]),
]"""


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("", "data", "blob", "about") or parts.hostname in ("127.0.0.1",
                                                                                "localhost")


def test_markdown_in_the_link_stays_text_and_offline(streamlit_app, page):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    query = urlencode({"scheme": "user_defined", "breaks": IMAGE, "palette": LINK, "zoom": TAG})
    open_app(page, streamlit_app, f"one_map?{query}")
    frame = wait_for_map(page, timeout=60_000)

    # The values are quoted back as text: the ignored parameters above the map, and the breaks
    # warning in the sidebar's (closed) "Classes and colours" expander.
    page.locator('[data-testid="stMain"] [data-testid="stAlert"]').first.wait_for(timeout=20_000)
    alerts = page.locator('[data-testid="stAlert"]')
    shown = "\n".join(alerts.all_text_contents()).replace("\u2060", "")
    assert IMAGE in shown, shown
    assert LINK in shown, shown
    assert TAG in shown, shown

    # No image or link was made of them, in the page or in the map's frame.
    found = page.evaluate(_COLLECT)
    for f in page.frames:
        try:
            found += f.evaluate(_COLLECT)
        except Exception:  # noqa: BLE001 - a frame navigating away has nothing to add
            pass
    # (Leaflet's own attribution links to leafletjs.com; no link may lead to HOST.)
    outside = [(kind, url) for kind, url in found
               if (kind == "src" and not _is_local(url)) or urlsplit(url).hostname == HOST]
    assert outside == [], outside
    assert page.locator(f'a[href^="http://{HOST}"], a[href^="//{HOST}"]').count() == 0
    assert page.locator(f'img[src*="{HOST}"]').count() == 0
    assert frame.locator(f'img[src*="{HOST}"]').count() == 0
    assert page.locator(MAP_IFRAME).count() >= 1

    page.wait_for_timeout(500)          # anything lazily loaded would have been requested now
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "one_map_hostile_link.png"))
    assert dialogs == []
    assert_offline(page)
