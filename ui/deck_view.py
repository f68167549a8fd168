"""The deck.gl views on the Per capita page: the extruded "money per resident" map and the
award points of a line-item table (scatter and hexagon bins), each behind a toggle, with their
downloads.

deck.gl is served by the app (static/vendor/deckgl/) and loaded by the component page
(layers/web_deck/), never from a CDN; no basemap is drawn (the regions are the map).
Streamlit's own ``st.pydeck_chart`` is not used: it fetches a Carto basemap style even with
``map_style=None`` and draws nothing when that fails, i.e. offline.

The component gets one payload per view. Tilting, turning, making the columns taller, points
or hexagons and their size are all done in the browser (no rerun), and a rerun that does not
change the payload sends it as a reference (Streamlit does not send a large element again
that the browser already holds), so the data travels once.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from exports import deck as xdeck
from layers.classify import format_number
from layers.deck import DeckPayload, award_deck, reconcile, region_deck
from layers.web_deck import WEB_DECK_DIR
from locales import current, t

from . import auth, cache, state
from .text import md

_component = components.declare_component("fiscal_deck", path=str(WEB_DECK_DIR))

#: The page's link keys of these views (added to the Per capita page's keys).
DECK_KEYS = ["pc_3d", "pc_3d_year", "pc_awards"]
HEIGHT = 560


def deck_chart(payload: DeckPayload, *, key: str, height: int = HEIGHT) -> None:
    """Draw a deck payload (layers.deck) in the app's deck component."""
    _component(payload=payload.json, height=int(height), key=key, default=None)


def _money(cents: int, unit: str) -> str:
    """An exact amount of money for a Markdown sentence holding several: every "$" escaped (two
    of them would open maths)."""
    return md(format_number(cents / 100, unit, compact=False))


def in_sentence(label: str) -> str:
    """A level's label inside a sentence: "county", "council district", but "ZIP area"."""
    first = label.split(" ", 1)[0]
    return label if len(first) > 1 and first.isupper() else label[:1].lower() + label[1:]


# ------------------------------------------------------------------ the Per capita page
def per_capita_section(pc) -> None:
    """The toggles of the 3D view and of the award points, and what they open (the Per
    capita page calls this under its title)."""
    state.init("pc_3d", False, parse=state.parse_bool)
    src = xdeck.line_item_source(pc.data, pc.table) if not pc.parent else None
    c1, c2 = st.columns(2)
    on_3d = c1.toggle(t("3D view: height = money per resident"), key="pc_3d",
                      help=t("Each region rises by its amount per resident, in the colours of "
                             "the 2D map's classes. Tilt and turn it with the mouse."))
    on_awards = False
    if src is not None:
        state.init("pc_awards", False, parse=state.parse_bool)
        on_awards = c2.toggle(t("Award points and hexagons"), key="pc_awards",
                              help=t("Each award of the funding table as a point sized by its "
                                     "amount, or summed in hexagons."))
    if on_3d:
        with st.container(border=True):
            three_d_view(pc)
    if on_awards and src is not None:
        with st.container(border=True):
            awards_view(pc, src)
    state.to_url(DECK_KEYS)


# ------------------------------------------------------------------ 3D
def _span_title(pc) -> str:
    kind = t("average per year") if pc.spec.average else \
        (t("sum over the years") if len(pc.years) > 1 else "")
    return pc.span_label() if not kind else t("{span}, {kind}", span=pc.span_label(), kind=kind)


def span_view(pc):
    """The map of the span's rates (as the ranking reads them), classified as the page's
    maps are: the scheme chosen (or the automatic one), the palette, relative to the overall
    rate when asked, small populations and outliers marked."""
    from layers.frames import frame_views

    from .per_capita import OWN_CLASSES
    from .per_capita_maps import _marked, _outliers, _pooled_views, _scheme, _unit_line

    values = pc.values(pc.mv)
    pooled = {0: values}
    centre = pc.overall(pc.mv, pc.span, pc.spec.average) if pc.relative else None
    if centre is not None and pd.isna(centre):
        centre = None
    scheme = _scheme(pc, pooled)
    title = _span_title(pc)
    pop = {0: pc.population(pc.mv)}
    if centre is None and scheme in OWN_CLASSES:
        (view,) = _pooled_views(pc, pooled, titles={0: title}, scheme=scheme,
                                subtitle=_unit_line(pc), population=pop)
    else:
        (view,) = frame_views(
            pc.ids, pooled, titles={0: title}, unit=pc.money,
            subtitle=_unit_line(pc, centre), scheme=scheme, k=pc.k,
            palette=pc.palette if centre is not None or not pc.relative else "YlGnBu",
            fixed=True, centres={0: centre} if centre is not None else None, population=pop)
    view, _ = _outliers(pc, _marked(pc, view, pc.mv), values)
    return view


def view_3d(pc, which: str):
    """The ChoroplethView the 3D view draws: the span (``"span"``) or one year, exactly the
    2D map of that year."""
    from .per_capita_maps import _outliers, _year_view

    if which == "span":
        return span_view(pc), pc.mv, pc.spec
    y = int(which)
    mv = pc.frames[y]
    values = pc.values(mv)
    view, _ = _outliers(pc, _year_view(pc, y), values)
    return view, mv, replace(pc.spec, span=(y, y), average=False)


def three_d_view(pc) -> None:
    from .per_capita_maps import _empty_sentence, _unit_line

    years = pc.years
    options = ["span"] + [str(y) for y in years] if len(years) > 1 else ["span"]
    state.init("pc_3d_year", "span", options=options)
    if len(options) > 1:
        st.selectbox(t("Years shown in 3D"), options, key="pc_3d_year",
                     format_func=lambda o: md(_span_title(pc)) if o == "span"
                     else md(pc.year(int(o))))
    which = st.session_state["pc_3d_year"]
    if which not in options:
        which = "span"
    if getattr(pc.layer, "banded", False):
        st.info(t("This level has too many regions to raise in 3D ({n}): choose a coarser "
                  "level, or open the regions of one area.", n=f"{len(pc.ids):,}"))
        return
    view, mv, _spec = view_3d(pc, which)
    when = _span_title(pc) if which == "span" else pc.year(int(which))
    st.subheader(t("{what} {rate} in 3D, {when}", what=md(pc.table_label), rate=pc.rate,
                   when=md(when)))
    if _empty_sentence(pc, pc.values(mv), when):
        return
    unit_line = _unit_line(pc)
    payload = region_deck(pc.layer, view, height_label=unit_line)
    deck_chart(payload, key="pc_deck")
    st.caption(t("Each region rises by its amount {rate}: the same amount is the same height "
                 "everywhere. Colours, legend and tooltips are those of the 2D map (the same "
                 "classes). Regions with no data lie flat in grey.", rate=pc.rate))
    _downloads_3d(pc, view, payload, when)


def _source(pc, level: str, table: str) -> str:
    from exports.compose import source_text

    ws = pc.ws
    files = {ws.level(level).file, ws.table(table).file,
             *(tb.file for tb in ws.tables_of("population", level))}
    names = {str(f).replace("\\", "/").split("/")[-1] for f in files}
    sources = tuple(dict.fromkeys(s.name for s in ws.sources
                                  if any(str(f).split("/")[-1] in names for f in s.files)))
    return source_text(pc.data, sources)


def _downloads_3d(pc, view, payload: DeckPayload, when: str) -> None:
    from exports.maps import MIME
    from layers.render_static import map_frame

    from .per_capita import PC_KEYS
    from .per_capita_maps import _unit_line

    title = t("{what} {rate}, {when}", what=pc.table_label, rate=pc.rate, when=when)
    subtitle = _unit_line(pc)
    source = _source(pc, pc.level, pc.table)
    link = state.view_link(list(dict.fromkeys(PC_KEYS + DECK_KEYS)), "per_capita")
    base = f"{pc.ws.id}_{pc.level}_per_resident_3d"
    ws_id, level, parent, ids = pc.ws.id, pc.level, pc.parent, list(pc.ids)
    data = pc.data

    def html() -> bytes:
        return xdeck.deck_html(payload, title=title, subtitle=subtitle, source=source,
                               notes=[t("Drag to move; right-drag or Ctrl+drag to tilt and "
                                        "turn; scroll or +/- to zoom.")])

    def flat(fmt: str):
        def make() -> bytes:
            gdf = xdeck.boundaries_in_order(data.boundaries(level), ids)
            frame = map_frame(data.ws.settings)[0] if not parent else None
            return xdeck.flat_snapshot(view, gdf, fmt, frame=frame, title=title,
                                       subtitle=subtitle, source=source)
        return make

    c1, c2, c3 = st.columns(3)
    auth.download_button(c1, t("Interactive 3D (HTML, offline)"), html,
                         file_name=f"{base}.html", view=link, workspace=ws_id,
                         mime=MIME["html"], key="pc_deck_html", width="stretch")
    auth.download_button(c2, t("PNG image (2D map, same classes)"), flat("png"),
                         file_name=f"{base}_2d.png", view=link, workspace=ws_id,
                         mime=MIME["png"], key="pc_deck_png", width="stretch")
    auth.download_button(c3, t("PDF (2D map, same classes)"), flat("pdf"),
                         file_name=f"{base}_2d.pdf", view=link, workspace=ws_id,
                         mime=MIME["pdf"], key="pc_deck_pdf", width="stretch")
    st.caption(t("A PNG or PDF cannot turn in 3D: they show the 2D map of the same classes and "
                 "colours, and say so. The HTML file is the 3D view itself and opens without a "
                 "network."))


# ------------------------------------------------------------------ award points
@st.cache_resource(show_spinner=False, max_entries=4)
def _line_items(path: str, stamp_: tuple, table: str, level: str, recipient: str,
                purpose: str | None) -> pd.DataFrame:
    src = xdeck.LineItemSource(table=table, level=level, recipient=recipient, purpose=purpose)
    return xdeck.line_items(cache.load(path), src)


@st.cache_resource(show_spinner=False, max_entries=16)
def _award_payload(path: str, stamp_: tuple, table: str, level: str, recipient: str,
                   purpose: str | None, span: tuple[int, int], agencies: tuple | None,
                   unit: str, title: str, lang: str):
    data = cache.load(path)
    src = xdeck.LineItemSource(table=table, level=level, recipient=recipient, purpose=purpose)
    items = xdeck.select_items(_line_items(path, stamp_, table, level, recipient, purpose),
                               span, agencies)
    awards = xdeck.awards_on_map(data, items, src)
    base = cache.encoded_layer(path, level)
    payload = award_deck(base, awards, unit=unit, title=title,
                         place_label=data.ws.level(level).label, names=data.names(level))
    total = xdeck.table_total_cents(data, table, span, agencies)
    return payload, awards, reconcile(awards, total, base.bounds)


def awards_view(pc, src: xdeck.LineItemSource) -> None:
    ws = pc.ws
    level = ws.level(src.level)
    title = t("{table}, {span}", table=pc.table_label, span=pc.span_label())
    st.subheader(t("Each award of {table}, {span}", table=md(pc.table_label),
                   span=md(pc.span_label())))
    if getattr(cache.encoded_layer(pc.path, src.level), "banded", False):
        st.info(t("This level has too many regions to draw the awards over them ({n}).",
                  n=f"{len(pc.data.names(src.level)):,}"))
        return
    with st.spinner(t("Placing the awards…")):
        payload, awards, rec = _award_payload(
            pc.path, cache.stamp(pc.path), src.table, src.level, src.recipient, src.purpose,
            tuple(pc.span), tuple(pc.spec.agencies) if pc.spec.agencies else None, pc.money,
            title, current())
    if awards.total_n == 0:
        st.info(t("{table} has no awards in {span} for this choice.", table=md(pc.table_label),
                  span=md(pc.span_label())))
        return
    deck_chart(payload, key="pc_awards_deck")
    where = md(in_sentence(level.label))
    if awards.by_coordinates == 0:
        st.caption(t("This table has no coordinates: each award sits at the representative "
                     "point of its {level} (a point inside it), so the awards of one {level} "
                     "share a point; its tooltip says how many there are and how much they add "
                     "up to.", level=where))
    elif awards.by_coordinates < awards.placed_n:
        st.caption(t("{n} awards sit at their own coordinates; the others at the "
                     "representative point of their {level}.",
                     n=f"{awards.by_coordinates:,}", level=where))
    st.markdown(t("**On the map:** {placed} in {n} awards. **Not placed:** {not_placed} in "
                  "{m} awards (no {level}, or one not on the map). **Table total:** {total}.",
                  placed=_money(rec.placed_cents, pc.money),
                  n=f"{awards.placed_n:,}",
                  not_placed=_money(rec.not_placed_cents, pc.money),
                  m=f"{awards.not_placed_n:,}", level=where,
                  total=_money(rec.total_cents, pc.money)))
    if not rec.reconciles:
        st.warning(t("The awards do not add up to the table's total: {placed} placed and "
                     "{not_placed} not placed, against {total}.",
                     placed=_money(rec.placed_cents, pc.money),
                     not_placed=_money(rec.not_placed_cents, pc.money),
                     total=_money(rec.total_cents, pc.money)))
    st.caption(t("The hexagons add up to the amount on the map at every size: an award is "
                 "counted in the one hexagon its point falls in."))
    _downloads_awards(pc, payload, awards, title, rec)


def _downloads_awards(pc, payload: DeckPayload, awards, title: str, rec) -> None:
    from exports.maps import MIME

    from .per_capita import PC_KEYS

    link = state.view_link(list(dict.fromkeys(PC_KEYS + DECK_KEYS)), "per_capita")
    base = f"{pc.ws.id}_{pc.table}_awards"
    source = _source(pc, pc.level, pc.table)
    # plain text: the HTML export escapes it
    recon = t("On the map: {placed} in {n} awards. Not placed: {not_placed} in {m} awards. "
              "Table total: {total}.", placed=format_number(rec.placed_cents / 100, pc.money, compact=False),
              n=f"{awards.placed_n:,}",
              not_placed=format_number(rec.not_placed_cents / 100, pc.money, compact=False),
              m=f"{awards.not_placed_n:,}", total=format_number(rec.total_cents / 100, pc.money, compact=False))
    unit = pc.money

    def html() -> bytes:
        return xdeck.deck_html(payload, title=title, notes=[recon], source=source)

    c1, c2 = st.columns(2)
    auth.download_button(c1, t("Interactive map of the awards (HTML, offline)"), html,
                         file_name=f"{base}.html", view=link, workspace=pc.ws.id,
                         mime=MIME["html"], key="pc_awards_html", width="stretch")
    auth.download_button(c2, t("Awards on the map (CSV)"),
                         lambda: xdeck.awards_csv(awards, unit=unit),
                         file_name=f"{base}.csv", view=link, workspace=pc.ws.id,
                         mime=MIME["csv"], key="pc_awards_csv", width="stretch")
