"""Offline front-end assets for folium maps.

folium and streamlit-folium load Leaflet, jQuery, Bootstrap, Font Awesome and
friends from public CDNs. This product must work with no network at all, so:

* Leaflet is vendored under ``static/vendor/leaflet`` and served by Streamlit
  (``[server] enableStaticServing = true``) at ``/app/static/vendor/leaflet/``;
* :func:`localize_folium` rewrites every element of a map so that the only
  assets it asks for are those local copies, and raises
  :class:`OfflineAssetError` for anything that would need another library;
* :func:`standalone_html` / :func:`inline_assets_html` produce a single HTML
  file with Leaflet inlined, for exports that must open with the network cut.

Typical use in a Streamlit page::

    m = build_map(...)                       # folium.Map(tiles=None, ...)
    localize_folium(m, base_url_path=st.get_option("server.baseUrlPath"))
    st_folium(m, ...)                        # right after, no more add_to()

This module deliberately does not import streamlit.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path
from typing import Iterator

import branca
import branca.colormap
import branca.element
import folium
import folium.elements
import folium.features
import folium.map
import folium.plugins
import folium.raster_layers

__all__ = [
    "LEAFLET_VERSION",
    "STATIC_DIR",
    "OfflineAssetError",
    "inline_assets_html",
    "local_asset_urls",
    "localize_folium",
    "remote_assets",
    "standalone_html",
    "walk",
]

LEAFLET_VERSION = "1.9.4"

REPO_ROOT = Path(__file__).resolve().parent.parent
STATIC_DIR = REPO_ROOT / "static"

# Paths relative to STATIC_DIR (and to /app/static/ on the server).
_LEAFLET_JS = "vendor/leaflet/leaflet.js"
_LEAFLET_CSS = "vendor/leaflet/leaflet.css"
_LEAFLET_IMAGES = "vendor/leaflet/images"

# Asset names folium.Map declares that the map does not need. Dropping them is
# only safe because the elements that would use them are rejected below.
_UNNEEDED_MAP_JS = {"jquery", "bootstrap", "awesome_markers"}
_UNNEEDED_MAP_CSS = {
    "bootstrap_css",
    "glyphicons_css",
    "awesome_markers_font_css",
    "awesome_markers_css",
    "awesome_rotate_css",
}

_LEAFLET_JS_RE = re.compile(r"(^|/)leaflet(@[\d.]+)?/dist/leaflet\.js$|(^|/)vendor/leaflet/leaflet\.js$")
_LEAFLET_CSS_RE = re.compile(r"(^|/)leaflet(@[\d.]+)?/dist/leaflet\.css$|(^|/)vendor/leaflet/leaflet\.css$")
_REMOTE_RE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)


class OfflineAssetError(RuntimeError):
    """A map element needs a browser asset that is not vendored locally."""


def _is_remote(url: str) -> bool:
    return bool(_REMOTE_RE.match(url or ""))


def _static_prefix(base_url_path: str | None = "") -> str:
    """URL path under which Streamlit serves ``static/``, e.g. ``/app/static/``.

    ``base_url_path`` is Streamlit's ``server.baseUrlPath`` (``""``, ``"foo"``,
    ``"/foo/"``... are all accepted).
    """
    base = (base_url_path or "").strip().strip("/")
    return f"/{base}/app/static/" if base else "/app/static/"


def local_asset_urls(base_url_path: str = "") -> dict:
    """URL paths of the vendored assets as served by Streamlit static serving.

    Keys: ``leaflet_js``, ``leaflet_css``, ``leaflet_images`` (directory, with a
    trailing slash), ``static`` (the static prefix itself).
    """
    prefix = _static_prefix(base_url_path)
    return {
        "static": prefix,
        "leaflet_js": prefix + _LEAFLET_JS,
        "leaflet_css": prefix + _LEAFLET_CSS,
        "leaflet_images": prefix + _LEAFLET_IMAGES + "/",
    }


def walk(fig) -> Iterator[branca.element.Element]:
    """Yield every element of a folium tree (the map itself included).

    Same traversal as streamlit_folium's internal ``walk`` but yielding every
    element, not only the ones with assets.
    """
    yield fig
    if isinstance(fig, folium.plugins.DualMap):
        yield from walk(fig.m1)
        yield from walk(fig.m2)
    for child in list(getattr(fig, "_children", {}).values()):
        yield from walk(child)


def remote_assets(m) -> list[str]:
    """Every http(s) JS/CSS URL the map's elements would make the browser load.

    Includes the d3 link streamlit-folium adds for branca colour maps. An empty
    list means the map is safe to hand to ``st_folium`` offline.
    """
    urls: list[str] = []
    for elem in walk(m):
        if isinstance(elem, branca.colormap.ColorMap):
            urls.append("d3 from a CDN (streamlit-folium adds it for every branca ColorMap)")
        for _, url in list(getattr(elem, "default_js", [])) + list(getattr(elem, "default_css", [])):
            if _is_remote(url):
                urls.append(url)
    return urls


def _describe(elem) -> str:
    try:
        name = elem.get_name()
    except Exception:  # pragma: no cover - defensive
        name = "?"
    return f"{type(elem).__module__}.{type(elem).__name__} ({name})"


def _check_element(elem, drop_remote_tiles: bool, drop_colormaps: bool) -> bool:
    """Raise for elements that need unvendored code. Return True to drop it."""
    if isinstance(elem, branca.colormap.ColorMap):
        if drop_colormaps:
            return True
        raise OfflineAssetError(
            f"{_describe(elem)} is a branca colour-map legend: it needs d3 from a CDN "
            "(streamlit-folium injects the d3 link itself). Draw the legend in "
            "Streamlit instead, or call localize_folium(..., drop_colormaps=True)."
        )
    if isinstance(elem, folium.map.Icon):
        raise OfflineAssetError(
            f"{_describe(elem)}: folium.Icon needs Leaflet.awesome-markers, Bootstrap and "
            "Font Awesome, which are not vendored. Use the default marker, "
            "folium.CircleMarker or folium.DivIcon."
        )
    if isinstance(elem, folium.map.Popup):
        raise OfflineAssetError(
            f"{_describe(elem)}: folium.Popup builds its content with jQuery, which is not "
            "vendored. Use folium.GeoJsonPopup / GeoJsonTooltip on the GeoJson layer, or a Tooltip."
        )
    if isinstance(elem, folium.features.GeoJson) and not getattr(elem, "embed", True):
        raise OfflineAssetError(
            f"{_describe(elem)}: GeoJson(embed=False) loads its data with jQuery $.ajax; "
            "embed the data instead."
        )
    if isinstance(elem, folium.Map) and getattr(elem, "objects_to_stay_in_front", None):
        raise OfflineAssetError(
            f"{_describe(elem)}: Map.keep_in_front() relies on jQuery, which is not vendored."
        )
    if isinstance(elem, folium.raster_layers.TileLayer):
        tiles = getattr(elem, "tiles", "") or ""
        if _is_remote(tiles):
            if drop_remote_tiles:
                return True
            raise OfflineAssetError(
                f"{_describe(elem)} fetches tiles from {tiles!r}. Create the map with "
                "folium.Map(tiles=None) (or serve tiles from static/), or call "
                "localize_folium(..., drop_remote_tiles=True)."
            )
    return False


def _localize_links(elem, urls: dict, kind: str) -> list[tuple[str, str]]:
    attr = "default_js" if kind == "js" else "default_css"
    links = getattr(elem, attr, None)
    if not links:
        return []
    is_map = isinstance(elem, folium.Map)
    leaflet_re = _LEAFLET_JS_RE if kind == "js" else _LEAFLET_CSS_RE
    leaflet_url = urls["leaflet_js"] if kind == "js" else urls["leaflet_css"]
    unneeded = _UNNEEDED_MAP_JS if kind == "js" else _UNNEEDED_MAP_CSS
    out: list[tuple[str, str]] = []
    for name, url in links:
        if name in ("leaflet", "leaflet_css") or leaflet_re.search(url or ""):
            out.append((name, leaflet_url))
        elif is_map and name in unneeded:
            continue
        elif not _is_remote(url) and url.startswith("/"):
            # Already a same-origin path (e.g. something else under static/).
            out.append((name, url))
        else:
            raise OfflineAssetError(
                f"{_describe(elem)} needs {kind.upper()} asset {name!r} from {url!r}, which is "
                "not vendored under static/vendor/. Vendor it (see static/vendor/README.md) "
                "or do not use this element."
            )
    return out


def localize_folium(
    m: folium.Map,
    base_url_path: str = "",
    *,
    drop_remote_tiles: bool = False,
    drop_colormaps: bool = False,
) -> folium.Map:
    """Make ``m`` load only the vendored Leaflet; return ``m`` (modified in place).

    Call it on the finished map right before ``st_folium`` (or
    :func:`standalone_html`): elements added afterwards are not checked.
    ``base_url_path`` is Streamlit's ``server.baseUrlPath``.

    Raises :class:`OfflineAssetError` when an element needs a library that is
    not vendored (awesome-markers icons, jQuery popups, plugins, d3 legends,
    remote tiles...), so a CDN dependency can never creep in silently.
    """
    urls = local_asset_urls(base_url_path)

    # First pass: validate / drop whole elements.
    to_drop: list[tuple[branca.element.Element, str]] = []
    for elem in walk(m):
        if _check_element(elem, drop_remote_tiles, drop_colormaps):
            parent = getattr(elem, "_parent", None)
            if parent is not None:
                for key, child in list(parent._children.items()):
                    if child is elem:
                        to_drop.append((parent, key))
    for parent, key in to_drop:
        parent._children.pop(key, None)
        if isinstance(parent, folium.features.Choropleth) and getattr(parent, "color_scale", None) is not None:
            if isinstance(parent.color_scale, branca.colormap.ColorMap) and drop_colormaps:
                parent.color_scale = None

    # Second pass: rewrite asset lists on the instances (class attributes are
    # shared by every map, never mutate them).
    for elem in walk(m):
        if isinstance(elem, folium.elements.JSCSSMixin) or hasattr(elem, "default_js"):
            elem.default_js = _localize_links(elem, urls, "js")
            elem.default_css = _localize_links(elem, urls, "css")

    # A map rendered before (e.g. by a previous st_folium call) already has
    # CDN <script>/<link> children in its figure header: remove them.
    root = m.get_root()
    header = getattr(root, "header", None)
    if header is not None:
        for key, child in list(header._children.items()):
            url = getattr(child, "url", None)
            if isinstance(child, (branca.element.JavascriptLink, branca.element.CssLink)) and _is_remote(url or ""):
                del header._children[key]

    leftovers = remote_assets(m)
    if leftovers:  # pragma: no cover - guarded by the checks above
        raise OfflineAssetError(f"remote assets remain after localize_folium: {leftovers}")
    return m


# --------------------------------------------------------------------------
# Standalone export
# --------------------------------------------------------------------------

_SCRIPT_SRC_RE = re.compile(
    r"<script\b[^>]*?\bsrc\s*=\s*([\"'])(?P<url>[^\"']+)\1[^>]*>\s*</script\s*>", re.IGNORECASE
)
_LINK_RE = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_HREF_RE = re.compile(r"\bhref\s*=\s*([\"'])(?P<url>[^\"']+)\1", re.IGNORECASE)
_CSS_URL_RE = re.compile(r"url\(\s*([\"']?)(?P<url>[^\"')]+)\1\s*\)")
_REMOTE_SCRIPT_RE = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?\s*(https?:)?//", re.IGNORECASE)
_REMOTE_LINK_RE = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?\s*(https?:)?//", re.IGNORECASE)
_REMOTE_CSS_URL_RE = re.compile(r"url\(\s*[\"']?\s*(https?:)?//", re.IGNORECASE)


def _static_file_for(url: str) -> Path | None:
    """Map a served URL path (``.../app/static/x``) to the file under static/."""
    marker = "/app/static/"
    idx = url.find(marker)
    if idx < 0 or _is_remote(url):
        return None
    rel = url[idx + len(marker):].split("?", 1)[0].split("#", 1)[0]
    path = (STATIC_DIR / rel).resolve()
    if STATIC_DIR.resolve() not in path.parents or not path.is_file():
        return None
    return path


def _data_uri(path: Path) -> str:
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _inline_css(path: Path) -> str:
    css = path.read_text(encoding="utf-8")

    def repl(match: re.Match) -> str:
        ref = match.group("url")
        if ref.startswith(("data:", "#")) or _is_remote(ref):
            return match.group(0)
        target = (path.parent / ref).resolve()
        if target.is_file():
            return f'url("{_data_uri(target)}")'
        return match.group(0)

    return _CSS_URL_RE.sub(repl, css)


def _leaflet_icon_script() -> str:
    """Point L.Icon.Default at data URIs (Leaflet cannot guess a path for them)."""
    images = STATIC_DIR / _LEAFLET_IMAGES
    return (
        "<script>if (window.L && L.Icon && L.Icon.Default) {"
        "L.Icon.Default.imagePath = '';"
        "L.Icon.Default.mergeOptions({"
        f"iconUrl: '{_data_uri(images / 'marker-icon.png')}',"
        f"iconRetinaUrl: '{_data_uri(images / 'marker-icon-2x.png')}',"
        f"shadowUrl: '{_data_uri(images / 'marker-shadow.png')}'"
        "});}</script>"
    )


def assert_no_remote_assets(html: str) -> None:
    """Raise OfflineAssetError if ``html`` would load a script/style/font remotely."""
    for rx, what in (
        (_REMOTE_SCRIPT_RE, "<script src=http...>"),
        (_REMOTE_LINK_RE, "<link href=http...>"),
        (_REMOTE_CSS_URL_RE, "CSS url(http...)"),
    ):
        hit = rx.search(html)
        if hit:
            snippet = html[hit.start(): hit.start() + 160]
            raise OfflineAssetError(f"remote asset left in HTML ({what}): {snippet!r}")


def inline_assets_html(html: str) -> str:
    """Inline every ``/app/static/...`` script and stylesheet of ``html``.

    Stylesheet ``url(...)`` references (Leaflet's images) become data URIs and
    the default marker icon is pointed at data URIs too. Raises
    :class:`OfflineAssetError` if a remote ``<script src>`` / ``<link href>``
    (or one we cannot resolve under static/) remains.
    """
    inlined_leaflet = False

    def script_repl(match: re.Match) -> str:
        nonlocal inlined_leaflet
        path = _static_file_for(match.group("url"))
        if path is None:
            return match.group(0)
        code = path.read_text(encoding="utf-8").replace("</script", "<\\/script")
        # Drop the source-map comment: the .map file is not vendored.
        code = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", code)
        out = f"<script>{code}</script>"
        if path.name == "leaflet.js":
            inlined_leaflet = True
            out += _leaflet_icon_script()
        return out

    def link_repl(match: re.Match) -> str:
        tag = match.group(0)
        href = _HREF_RE.search(tag)
        if not href or "stylesheet" not in tag.lower():
            return tag
        path = _static_file_for(href.group("url"))
        if path is None:
            return tag
        return f"<style>{_inline_css(path)}</style>"

    html = _SCRIPT_SRC_RE.sub(script_repl, html)
    html = _LINK_RE.sub(link_repl, html)
    assert_no_remote_assets(html)
    leftover = re.search(r"<(script|link)\b[^>]*\b(src|href)\s*=\s*[\"']?/app/static/", html, re.IGNORECASE)
    if leftover:
        raise OfflineAssetError(f"could not inline {html[leftover.start(): leftover.start() + 160]!r}")
    if "L.map(" in html and not inlined_leaflet and "window.L=" not in html:
        raise OfflineAssetError("page builds a Leaflet map but Leaflet was not inlined")
    return html


def standalone_html(m: folium.Map, **localize_kwargs) -> str:
    """Self-contained offline HTML for ``m`` (Leaflet and its images inlined).

    The map is localized first (same rules and errors as :func:`localize_folium`).
    """
    localize_folium(m, **localize_kwargs)
    return inline_assets_html(m.get_root().render())
