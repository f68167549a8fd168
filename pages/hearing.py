"""Hearing: prepare a sequence of saved views, present it full screen, hand out the PDF."""
from __future__ import annotations

import html
from urllib.parse import parse_qsl, urlsplit

import streamlit as st

from exports.compose import compose
from geodata.viewstate import drawable_levels
from exports.maps import MIME, frame_problems
from exports.pack import hearing_pack
from exports.views_store import ViewsError, store_for
from ui import cache, controls, overlays, state
from ui.exports_panel import cached, current_params, downloads, last_view, save_form
from ui.mapview import map_options, show_map
from ui.text import md

SCREENS = {"1920x1080": 840, "1280x720": 520}

data, path = controls.page_setup()
if data is None:
    st.stop()
ws = data.ws
if not drawable_levels(data):
    st.title("Hearing")
    st.info("This workspace has no allocations or indicators to map yet, so there is no view "
            "to save or present. The Data quality page lists what could not be read.")
    st.stop()
store = store_for(ws)
kw = cached(path)

state.init("present", False, parse=state.parse_bool)
state.init("slide", 1, parse=int)
state.init("screen", "1920x1080", options=list(SCREENS))
try:
    (views, views_repairs), views_error = store.read(), None
except ViewsError as exc:
    views, views_repairs, views_error = [], [], str(exc)
n = len(views)
if not 1 <= int(st.session_state["slide"]) <= max(n, 1):
    st.session_state["slide"] = 1


def _go(step: int) -> None:
    st.session_state["slide"] = max(1, min(n, int(st.session_state["slide"]) + step))


def _change(fn, *args) -> None:
    """Change the saved views; a file another session broke or changed is said, not raised."""
    try:
        fn(*args)
    except ViewsError as exc:
        st.session_state["_views_change_error"] = f"{exc} Your saved views were not changed."
    st.rerun()


def _present(on: bool, start: int | None = None) -> None:
    st.session_state["present"] = on
    if start:
        st.session_state["slide"] = start


# ========================================================================= presentation mode
if st.session_state["present"] and n:
    st.html("""<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
[data-testid="stSidebarNav"], footer { display: none !important; }
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] { background: #ffffff !important; }
.stApp, .stApp p, .stApp span, .stApp div { color: #000000; }
[data-testid="stMainBlockContainer"], .block-container { padding: 0.5rem 1.2rem 0.2rem !important;
  max-width: 100% !important; }
.fm-ptitle { font-size: clamp(1.7rem, 2.35vw, 2.9rem); font-weight: 800; line-height: 1.1; }
.fm-psub { font-size: clamp(1.05rem, 1.3vw, 1.6rem); line-height: 1.25; margin-top: .2rem; }
.fm-pnote { font-size: clamp(1.05rem, 1.3vw, 1.6rem); line-height: 1.3; }
.fm-pcount { font-size: clamp(1.1rem, 1.4vw, 1.7rem); font-weight: 700; text-align: center;
  padding-top: .5rem; }
.st-key-fm_prev button, .st-key-fm_next button, .st-key-fm_exit button {
  min-height: 3rem; border: 2px solid #000 !important; background: #fff !important; }
.st-key-fm_prev button p, .st-key-fm_next button p, .st-key-fm_exit button p {
  font-size: clamp(1.05rem, 1.2vw, 1.5rem) !important; font-weight: 700; color: #000 !important; }
.st-key-fm_prev button:disabled, .st-key-fm_next button:disabled { opacity: .3; }
</style>""")
    i = int(st.session_state["slide"])
    sv = views[i - 1]
    c = compose(data, sv.query, **kw)
    head, b1, cnt, b2, b3 = st.columns([6.2, 1.6, 0.7, 1.6, 1.1], vertical_alignment="center")
    head.markdown(f"<div class='fm-ptitle'>{html.escape(sv.title)}</div>"
                  f"<div class='fm-psub'>{html.escape(c.title)} · {html.escape(c.subtitle)}</div>",
                  unsafe_allow_html=True)
    b1.button("◀ Previous", key="fm_prev", on_click=_go, args=(-1,), disabled=i <= 1,
              width="stretch", shortcut="Left")
    cnt.markdown(f"<div class='fm-pcount'>{i} / {n}</div>", unsafe_allow_html=True)
    b2.button("Next ▶", key="fm_next", on_click=_go, args=(1,), disabled=i >= n,
              width="stretch", shortcut="Right")
    b3.button("Exit", key="fm_exit", on_click=_present, args=(False,), width="stretch",
              shortcut="Esc")
    if c.ignored:
        st.warning("This view's link had parameters that no longer fit the data; showing the "
                   "nearest valid view. Ignored: " + "; ".join(md(m) for m in c.ignored))
    opts = map_options(ws.settings, height=SCREENS[st.session_state["screen"]],
                       title_on_map=True, large_type=True, high_contrast=True, fill_opacity=1.0,
                       line_colour="#ffffff", line_weight=0.6)
    extra = []
    if c.overlays:      # a roads view with its segments: drawn as the Roads page draws them
        from exports.roads import interactive_overlays
        extra = interactive_overlays(data, c, rd=cache.roads(path), lines=cache.road_lines(path))
    show_map(cache.encoded_layer(path, c.vs.level), c.view, opts, key=f"present_{sv.id}",
             extra_layers=extra, center=c.vs.center, zoom=c.vs.zoom,
             overlays=overlays.payload([cache.encoded_overlay(path, oid)
                                        for oid in c.vs.overlays]))
    figs = c.methodology or " · ".join(f"{k}: {v}" for k, v in c.figures.texts().items())
    st.markdown(f"<div class='fm-pnote'>{html.escape(sv.note) + ' — ' if sv.note else ''}"
                f"{html.escape(figs)}</div>", unsafe_allow_html=True)
    # PageUp / PageDown (presentation clickers) and arrow keys while the map has the focus.
    st.iframe("""<script>
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
</script>""", height=1)
    state.to_url(["present", "slide", "screen"])
    st.stop()

# ========================================================================= preparing
st.session_state["present"] = False
st.title("Hearing")
st.caption("Save views from the One map page (the “Export or save this view” switch) or below, put them in "
           "order, then present them full screen and hand out the hearing pack (PDF).")
if views_error:
    st.error(md(views_error) + " The file was left as it is; fix it or remove it to save new views.")
for msg in views_repairs:
    st.warning(md(msg))
change_error = st.session_state.pop("_views_change_error", None)
if change_error:
    st.error(md(change_error))
for j, msg in enumerate(st.session_state.pop("_views_import_notes", [])):
    (st.success if j == 0 else st.warning)(md(msg))
for msg in frame_problems(data):
    st.warning(f"Map frame option ignored: {md(msg)}")

c1, c2, c3 = st.columns([1.2, 1, 1.4], vertical_alignment="bottom")
start = c2.number_input("Start at view", 1, max(n, 1), key="start_at", disabled=not n)
c3.selectbox("Projector", list(SCREENS), key="screen",
             format_func=lambda s: s.replace("x", " × "))
c1.button(f"▶ Present ({n} view{'s' if n != 1 else ''})", type="primary", key="present_btn",
          disabled=not n, on_click=_present, args=(True, int(start)), width="stretch")

st.subheader("Sequence")
if not views and not views_error:
    st.info("No saved views yet. Open the One map page, set up a view and switch on “Export or save "
            "this view” under the map, or save the current view below.")
for i, sv in enumerate(views, start=1):
    with st.container(border=True, key=f"row_{sv.id}"):
        a, b = st.columns([4, 5], vertical_alignment="center")
        a.markdown(f"**{i}. {md(sv.title)}**" + (f" — {md(sv.note)}" if sv.note else ""))
        a.caption("?" + md("&".join(f"{k}={v}" for k, v in sv.query.items())))
        up, down, ren, dele = b.columns(4)
        if up.button("Up", icon=":material/arrow_upward:", key=f"up_{sv.id}", disabled=i == 1, help="Earlier in the sequence"):
            _change(store.move, sv.id, -1)
        if down.button("Down", icon=":material/arrow_downward:", key=f"down_{sv.id}", disabled=i == n, help="Later in the sequence"):
            _change(store.move, sv.id, 1)
        with ren.popover("Rename", icon=":material/edit:"):
            with st.form(f"ren_{sv.id}", border=False):
                t = st.text_input("Title", sv.title, key=f"rt_{sv.id}")
                nt = st.text_input("Note", sv.note, key=f"rn_{sv.id}")
                if st.form_submit_button("Save"):
                    try:
                        store.rename(sv.id, t, nt)
                        st.rerun()
                    except ViewsError as exc:
                        st.error(md(str(exc)))
        if dele.button("Delete", icon=":material/delete:", key=f"del_{sv.id}", help="Delete this saved view"):
            _change(store.delete, sv.id)

st.subheader("Save a view")
tab_cur, tab_link = st.tabs(["The current view", "A view link"])
with tab_cur:
    # The last One map / Roads view shown (their widgets are gone after navigating here).
    params = last_view(data) or current_params("one_map")
    cur = compose(data, params, **kw)
    st.markdown(f"**{md(cur.title)}** · {md(cur.subtitle)}")
    save_form(data, cur.vs.to_query(), key="save_cur")
with tab_link:
    link = st.text_input("Paste a link or its query string", key="save_link",
                         placeholder="http://…/one_map?level=county&measure=indicator")
    if link.strip():
        q = urlsplit(link.strip()).query if "?" in link else link.strip()
        lp = dict(parse_qsl(q.lstrip("?")))
        lc = compose(data, lp, **kw)
        st.markdown(f"**{md(lc.title)}** · {md(lc.subtitle)}")
        if lc.ignored:
            st.warning("Ignored: " + "; ".join(md(m) for m in lc.ignored))
        save_form(data, lc.vs.to_query(), key="save_lnk")

st.subheader("Hand-outs")
hp1, hp2 = st.columns([1, 2], vertical_alignment="bottom")
pack_size = hp2.selectbox("Pack page size", ["a4", "letter", "16:9"], key="pack_size",
                          format_func=lambda s: {"a4": "A4 landscape", "letter": "Letter landscape",
                                                 "16:9": "16:9"}[s])
hp1.download_button(
    "Hearing pack (PDF)", lambda: hearing_pack(data, store.list(), size=pack_size,
                                               layer_for=lambda lv: cache.static_layer(path, lv)),
    file_name=f"{ws.id}_hearing_pack.pdf", mime=MIME["pdf"], key="dl_pack",
    on_click="ignore", disabled=not n, type="primary", width="stretch")
if views:
    pick = st.selectbox("View to download", range(n), key="dl_pick",
                        format_func=lambda j: f"{j + 1}. {views[j].title}")
    sv = views[pick]
    downloads(data, path, compose(data, sv.query, **kw), key="dlv",
              title=sv.title, note=sv.note)

st.subheader("Views file")
f1, f2 = st.columns(2)
f1.download_button("Export saved views (JSON)", lambda: store.export_bytes(),
                   file_name=f"{ws.id}_views.json", mime="application/json", key="dl_views",
                   on_click="ignore", disabled=bool(views_error))
with f2.form("import_views", clear_on_submit=True, border=False):
    up = st.file_uploader("Import a views file", type=["json"], key="import_file")
    replace_all = st.checkbox("Replace all saved views (otherwise add to them)", key="import_replace")
    if st.form_submit_button("Import") and up is not None:
        import_repairs: list[str] = []
        try:
            k = store.import_bytes(up.getvalue(), replace=replace_all, name=up.name,
                                   repairs=import_repairs)
        except ViewsError as exc:
            st.error(md(f"{exc} Your saved views were not changed."))
        else:
            st.session_state["_views_import_notes"] = [f"Imported {k} view(s)."] + import_repairs
            st.rerun()

state.to_url(["present", "slide", "screen"])
