"""The Hearing page's parts: presentation mode (one saved view per slide, full screen), the
sequence of saved views, saving a view, and the hand-outs."""
from __future__ import annotations

import html
from urllib.parse import parse_qsl, urlsplit

import streamlit as st

from exports.compose import Composed, compose
from exports.views_store import SavedView, ViewsError
from geodata.dataset import WorkspaceData
from locales import N_, t

from . import auth, cache, overlays
from .exports_panel import cached, current_params, downloads, last_view, save_form
from .mapview import map_options, show_map
from .text import md

#: Projector → the most height the map of a slide takes (px): the screen's height less the
#: slide's title, subtitle, figures and source lines. The map component also keeps it within
#: the browser window, so a smaller window still shows the whole slide.
SCREENS = {"1920x1080": 900, "1280x720": 560}
#: An example of a view link (an address, the same in every language).
LINK_EXAMPLE = "http://…/one_map?level=county&measure=indicator"
PACK_SIZES = {"a4": N_("A4 landscape"), "letter": N_("Letter landscape"), "16:9": N_("16:9")}

SLIDE_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
[data-testid="stSidebarNav"], footer { display: none !important; }
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] { background: #ffffff !important; }
.stApp, .stApp p, .stApp span, .stApp div { color: #000000; }
[data-testid="stMainBlockContainer"], .block-container { padding: 0.4rem 1.2rem 0.2rem !important;
  max-width: 100% !important; }
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] { gap: 0.3rem; }
.fm-ptitle { font-size: clamp(1.6rem, 2.3vw, 2.9rem); font-weight: 800; line-height: 1.15;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.fm-psub { font-size: clamp(1.0rem, 1.25vw, 1.6rem); line-height: 1.3; margin-top: .15rem;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.fm-pnote { font-size: clamp(1.0rem, 1.25vw, 1.6rem); line-height: 1.3; font-weight: 600; }
.fm-psource { font-size: clamp(0.85rem, 0.95vw, 1.2rem); line-height: 1.3; color: #333333 !important; }
.fm-pcount { font-size: clamp(1.1rem, 1.4vw, 1.7rem); font-weight: 700; text-align: center;
  padding-top: .5rem; }
.st-key-fm_prev button, .st-key-fm_next button, .st-key-fm_exit button {
  min-height: 3rem; border: 2px solid #000 !important; background: #fff !important; }
.st-key-fm_prev button p, .st-key-fm_next button p, .st-key-fm_exit button p {
  font-size: clamp(1.05rem, 1.2vw, 1.5rem) !important; font-weight: 700; color: #000 !important; }
.st-key-fm_prev button:disabled, .st-key-fm_next button:disabled { opacity: .3; }
</style>"""

# PageUp / PageDown (presentation clickers) and arrow keys while the map has the focus.
KEYS_SCRIPT = """<script>
(function() {
  var P = window.parent, D = P.document;
  if (D.getElementById("fm-keys")) { return; }
  var s = D.createElement("script"); s.id = "fm-keys";
  s.textContent = "(" + function() {
    function click(k) { var b = document.querySelector('.st-key-' + k + ' button');
      if (b && !b.disabled) { b.click(); } }
    function handler(e, inFrame) {
      var t = e.target, tag = t && t.tagName;
      if (tag === 'INPUT' || tag === 'TEXTAREA' || (t && t.isContentEditable)) { return; }
      var next = e.key === 'PageDown' || (inFrame && e.key === 'ArrowRight');
      var prev = e.key === 'PageUp' || (inFrame && e.key === 'ArrowLeft');
      if (next || prev) { e.preventDefault(); click(next ? 'fm_next' : 'fm_prev'); }
    }
    document.addEventListener('keydown', function(e) { handler(e, false); }, true);
    setInterval(function() {
      document.querySelectorAll('iframe').forEach(function(f) {
        try { var d = f.contentDocument;
          if (d && !d.__fmKeys) { d.__fmKeys = true;
            d.addEventListener('keydown', function(e) { handler(e, true); }, true); }
        } catch (err) { }
      });
    }, 700);
  } + ")();";
  D.head.appendChild(s);
})();
</script>"""


def _div(cls: str, text: str, *, full: bool = False) -> str:
    """A line of a slide as HTML: the text escaped (it holds data), and with ``full`` the
    whole text as the tooltip of a line cut short on a narrow screen."""
    tip = f" title='{html.escape(text, quote=True)}'" if full else ""
    return f"<div class='{cls}'{tip}>{html.escape(text)}</div>"


def _go(step: int, n: int) -> None:
    st.session_state["slide"] = max(1, min(n, int(st.session_state["slide"]) + step))


def set_presenting(on: bool, start: int | None = None) -> None:
    st.session_state["present"] = on
    if start:
        st.session_state["slide"] = start


def change(fn, *args) -> None:
    """Change the saved views; a file another session broke or changed is said, not raised."""
    try:
        fn(*args)
    except ViewsError as exc:
        st.session_state["_views_change_error"] = t(
            "{problem} Your saved views were not changed.", problem=str(exc))
    st.rerun()


def ignored_warning(c: Composed) -> None:
    if c.ignored:
        st.warning(t("This view's link had parameters that no longer fit the data; showing "
                     "the nearest valid view. Ignored: {params}",
                     params="; ".join(md(m) for m in c.ignored)))


def slide_figures(c: Composed) -> str:
    """The figures line of a slide: a roads or status view's rule, else the view's key
    figures (the ones One map shows). An analysis view has its figures here and its method
    statement, a paragraph, in small type above the source (:func:`slide_method`)."""
    if c.vs.page == "analysis":
        return c.figures.line()
    return c.methodology or c.figures.line()


def slide_method(c: Composed) -> str:
    """The method statement of an analysis view on its slide ("" for other views)."""
    return c.methodology if c.vs.page == "analysis" else ""


# ================================================================== presentation mode
def present(data: WorkspaceData, path: str, views: list[SavedView]) -> None:
    """One saved view full screen: its title, what the map shows, its key figures, the source
    and data date, then the map filling the rest of the window; Previous / Next / Exit (and
    PageUp / PageDown)."""
    st.html(SLIDE_CSS)
    n = len(views)
    i = int(st.session_state["slide"])
    sv = views[i - 1]
    c = compose(data, sv.query, **cached(path))
    head, b1, cnt, b2, b3 = st.columns([6.2, 1.6, 0.7, 1.6, 1.1], vertical_alignment="center")
    head.html(_div("fm-ptitle", sv.title, full=True))
    b1.button(t("◀ Previous"), key="fm_prev", on_click=_go, args=(-1, n), disabled=i <= 1,
              width="stretch", shortcut="Left")
    cnt.html(_div("fm-pcount", f"{i} / {n}"))
    b2.button(t("Next ▶"), key="fm_next", on_click=_go, args=(1, n), disabled=i >= n,
              width="stretch", shortcut="Right")
    b3.button(t("Exit"), key="fm_exit", on_click=set_presenting, args=(False,),
              width="stretch", shortcut="Esc")
    figs = slide_figures(c)
    # Above the map, in the page's flow: the map takes what they leave. The subtitle keeps to
    # one line (cut short, the whole text as its tooltip); figures and source wrap if need be.
    st.html(_div("fm-psub", f"{c.title} · {c.subtitle}", full=True)
            + _div("fm-pnote", t("{note} — {figures}", note=sv.note, figures=figs)
                   if sv.note else figs, full=True)
            + (_div("fm-psource", slide_method(c)) if slide_method(c) else "")
            + _div("fm-psource", c.source_brief, full=True))
    ignored_warning(c)
    st.iframe(KEYS_SCRIPT, height=1)
    # The map comes last: it takes the rest of the window (the component caps the height
    # asked for by the window's), up to the projector's height.
    opts = map_options(data.ws.settings, height=SCREENS[st.session_state["screen"]],
                       large_type=True, high_contrast=True, fill_opacity=1.0,
                       line_colour="#ffffff", line_weight=0.6)
    road = None
    if c.overlays:      # a roads view with its segments: the Roads page's overlay
        from exports.roads import view_overlay
        road = view_overlay(data, c, rd=cache.roads(path), lines=cache.road_lines(path),
                            road_condition=lambda scheme, rc:
                                cache.road_condition(path, scheme, rc))
    drawn = [*([road] if road else []),
             *[cache.encoded_overlay(path, oid) for oid in c.vs.overlays]]
    show_map(cache.encoded_layer(path, c.vs.level), c.view, opts, key=f"present_{sv.id}",
             center=c.vs.center, zoom=c.vs.zoom, overlays=overlays.payload(drawn))


# ================================================================== preparing
def sequence(views: list[SavedView], store, *, editable: bool = True) -> None:
    """The saved views in order, each with Up, Down, Rename and Delete (for editors)."""
    n = len(views)
    if views and not editable:
        st.caption(t("Only editors of this workspace can change the sequence."))
    for i, sv in enumerate(views, start=1):
        with st.container(border=True, key=f"row_{sv.id}"):
            a, b = st.columns([4, 5], vertical_alignment="center")
            a.markdown(t("**{i}. {title}** — {note}", i=str(i), title=md(sv.title),
                         note=md(sv.note)) if sv.note else
                       t("**{i}. {title}**", i=str(i), title=md(sv.title)))
            a.caption("?" + md("&".join(f"{k}={v}" for k, v in sv.query.items())))
            if not editable:
                continue
            up, down, ren, dele = b.columns(4)
            if up.button(t("Up"), icon=":material/arrow_upward:", key=f"up_{sv.id}",
                         disabled=i == 1, help=t("Earlier in the sequence")):
                change(store.move, sv.id, -1)
            if down.button(t("Down"), icon=":material/arrow_downward:", key=f"down_{sv.id}",
                           disabled=i == n, help=t("Later in the sequence")):
                change(store.move, sv.id, 1)
            with ren.popover(t("Rename"), icon=":material/edit:"):
                with st.form(f"ren_{sv.id}", border=False):
                    title = st.text_input(t("Title"), sv.title, key=f"rt_{sv.id}")
                    note = st.text_input(t("Note"), sv.note, key=f"rn_{sv.id}")
                    if st.form_submit_button(t("Save")):
                        try:
                            store.rename(sv.id, title, note)
                            st.rerun()
                        except ViewsError as exc:
                            st.error(md(str(exc)))
            if dele.button(t("Delete"), icon=":material/delete:", key=f"del_{sv.id}",
                           help=t("Delete this saved view")):
                change(store.delete, sv.id)


def _view_summary(c: Composed) -> None:
    """A composed view in two lines: what it shows, and its key figures."""
    st.markdown(t("**{title}** · {subtitle}", title=md(c.title), subtitle=md(c.subtitle)))
    st.caption(md(slide_figures(c)))


#: Pages whose address-bar link holds their view under the view state's own keys: a link
#: copied from one of them names its page by its path (``…/analysis?an_view=hotspots``).
PAGE_PATHS = ("analysis", "early_warning", "scorecard")


def link_query(link: str) -> dict[str, str]:
    """A pasted link or query string as view parameters; a page's own address without a
    ``page`` key is a view of that page."""
    link = link.strip()
    parts = urlsplit(link) if "?" in link else None
    q = dict(parse_qsl((parts.query if parts else link).lstrip("?")))
    page = parts.path.rstrip("/").rsplit("/", 1)[-1] if parts else ""
    if "page" not in q and page in PAGE_PATHS:
        q["page"] = page
    return q


def save_a_view(data: WorkspaceData, path: str) -> None:
    """Save the view last shown on a map page (One map, Roads, Early warning, Scorecard,
    Analysis), or a view link pasted here."""
    st.subheader(t("Save a view"))
    tab_cur, tab_link = st.tabs([t("The current view"), t("A view link")])
    kw = cached(path)
    with tab_cur:
        # The last map view shown (its page's widgets are gone after navigating here).
        cur = compose(data, last_view(data) or current_params("one_map"), **kw)
        _view_summary(cur)
        save_form(data, cur.vs.to_query(), key="save_cur")
    with tab_link:
        link = st.text_input(t("Paste a link or its query string"), key="save_link",
                             placeholder=LINK_EXAMPLE)
        if link.strip():
            lc = compose(data, link_query(link), **kw)
            _view_summary(lc)
            if lc.ignored:
                st.warning(t("Ignored: {params}", params="; ".join(md(m) for m in lc.ignored)))
            save_form(data, lc.vs.to_query(), key="save_lnk")


def handouts(data: WorkspaceData, path: str, store, views: list[SavedView]) -> None:
    """The hearing pack (PDF) and each view's files."""
    from exports.maps import MIME
    from exports.pack import hearing_pack

    kw = cached(path)
    st.subheader(t("Hand-outs"))
    hp1, hp2 = st.columns([1, 2], vertical_alignment="bottom")
    size = hp2.selectbox(t("Pack page size"), list(PACK_SIZES), key="pack_size",
                         format_func=lambda s: t(PACK_SIZES[s]))
    auth.download_button(
        hp1, t("Hearing pack (PDF)"),
        lambda: hearing_pack(data, store.list(), size=size,
                             layer_for=lambda lv: cache.static_layer(path, lv),
                             compose_view=lambda q: compose(data, q, **kw)),
        file_name=f"{data.ws.id}_hearing_pack.pdf", workspace=data.ws.id, mime=MIME["pdf"],
        key="dl_pack", on_click="ignore", disabled=not views, type="primary", width="stretch")
    if views:
        pick = st.selectbox(t("View to download"), range(len(views)), key="dl_pick",
                            format_func=lambda j: f"{j + 1}. {views[j].title}")
        sv = views[pick]
        c = compose(data, sv.query, **kw)
        st.caption(md(slide_figures(c)))
        downloads(data, path, c, key="dlv", title=sv.title, note=sv.note)
