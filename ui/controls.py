"""Sidebar controls shared by the pages: workspace, level, measure, years, agencies, classes.

Each control keeps its value in ``st.session_state`` under a fixed key (the same key the URL
uses), so AppTest can set it and a link can reopen it.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from geodata.dataset import MeasureSpec, WorkspaceData
from geodata.viewstate import MEASURE_LABELS, ClassSpec, choices, parse_breaks
from geodata.workspace import ManifestError
from layers.classify import SCHEMES
from layers.palettes import palette_names

from locales import N_, t

from . import auth, cache, i18n, state
from .style import page_css
from .text import md, years_text

FAVICON = Path(__file__).resolve().parent.parent / "static" / "favicon.png"
SCHEME_LABELS = {
    "quantiles": N_("Quantiles (equal counts)"),
    "equal_interval": N_("Equal intervals"),
    "natural_breaks": N_("Natural breaks"),
    "fisher_jenks_sampled": N_("Fisher–Jenks (sampled)"),
    "user_defined": N_("My own breaks"),
    "diverging": N_("Diverging around a centre"),
    "box_map": N_("Box map (outliers apart)"),
    "percentiles": N_("Percentiles (1, 10, 50, 90, 99)"),
    "head_tail": N_("Head/tail breaks"),
}
#: The rules of "Mark outliers" (link key ``outliers``: "mad", "mad:3.5", "tukey:1.5"; "" off).
OUTLIER_LABELS = {"": N_("Off"), "mad": N_("Median ± k·MAD"), "tukey": N_("Tukey fences")}
PENDING_WS = "_pending_ws"          # a workspace to open on the next run (set after an import)
VIEW_KEYS = ["ws", "level", "measure", "table", "years", "agencies", "indicator",
             "indicator_year", "scheme", "k", "palette", "reverse", "breaks", "outliers",
             "region"]


def workspace_picker() -> WorkspaceData | None:
    """The workspace selector (sidebar, every page). Returns the loaded workspace."""
    paths = auth.visible_paths()
    auth.note_hidden_link(paths)
    titles, broken = {}, {}
    for wid, path in paths.items():
        try:
            titles[wid] = cache.manifest(path).title
        except ManifestError as exc:
            broken[wid] = exc
    if not titles and auth.no_workspace_message():
        st.info(auth.no_workspace_message(), icon=":material/lock:")
        return None
    if not titles:
        st.error(t("No usable workspace was found. Add a folder with a {manifest} under "
                   "{folder} or set {variable}.", manifest="`workspace.toml`",
                   folder="`geodata/workspaces/`", variable="`FISCALMAP_WORKSPACES`"))
        for wid, exc in broken.items():
            st.code(str(exc), language=None)
        return None
    shared = {title for title in titles.values() if list(titles.values()).count(title) > 1}
    # A selectbox tells its options apart by their labels: two workspaces with one title get
    # their folder name beside it, so each can be picked.
    titles = {w: f"{title} ({w})" if title in shared else title for w, title in titles.items()}
    ids = sorted(titles, key=lambda w: (w != "us_federal", titles[w]))
    pending = st.session_state.pop(PENDING_WS, None)
    if pending in ids:
        st.session_state["ws"] = pending
    state.init("ws", ids[0], options=ids)
    st.sidebar.selectbox(t("Workspace"), ids, format_func=lambda w: titles[w], key="ws")
    auth.role_caption()
    for wid, exc in broken.items():
        st.sidebar.warning(t("Workspace “{name}” cannot be opened: {n} problem(s) in its "
                             "manifest (see Data quality).", name=md(wid),
                             n=f"{len(exc.problems):,}"))
    return cache.load(paths[st.session_state["ws"]])


def page_setup() -> tuple[WorkspaceData | None, str]:
    """First call of every page: page config, the workspace picker; returns the workspace."""
    if PagesManager.uses_pages_directory:
        # Streamlit ran this page directly (a deep link on a fresh server): switch the app to
        # the navigation defined in app.py and run again, on the same URL.
        PagesManager.uses_pages_directory = False
        st.rerun()
    i18n.setup()
    st.set_page_config(page_title=t("Fiscal map"), page_icon=str(FAVICON), layout="wide",
                       initial_sidebar_state="expanded")
    page_css()
    auth.guard()
    state.new_page(_page_id())
    workspace_picker()
    i18n.picker()
    return current()


def _page_id() -> str:
    """The page of this run (notes about a link belong to the page it opened)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return str(getattr(ctx, "page_script_hash", "") or "") if ctx else ""


def current() -> tuple[WorkspaceData | None, str]:
    """The workspace chosen in the sidebar (by app.py), and its folder."""
    paths = auth.visible_paths()
    wid = st.session_state.get("ws")
    if wid not in paths:
        return None, ""
    return cache.load(paths[wid]), paths[wid]


def measure_controls(data: WorkspaceData, *, prefix: str = "", allowed: tuple[str, ...] | None = None,
                     container=None) -> MeasureSpec | None:
    """Level, measure, table, years, agencies and indicator widgets → a MeasureSpec.

    Options come from :func:`geodata.viewstate.choices`, the same rules a link or a saved view
    is checked against.
    """
    sb = container or st.sidebar
    ws = data.ws
    k = lambda name: prefix + name  # noqa: E731
    labels = {lv.id: lv.label for lv in ws.levels}
    levels = list(labels)
    state.init(k("level"), ws.default_level or levels[0], options=levels)
    # Radio options render Markdown (selectbox and multiselect options do not).
    level = sb.radio(t("Level"), levels, format_func=lambda lv: md(labels[lv]), key=k("level"),
                     horizontal=True)
    ch = choices(data, level, allowed=allowed)
    if not ch.measures:
        if allowed and "indicator" not in allowed:
            sb.info(t("There is no money at the {level} level: pick another level.",
                      level=md(labels[level].lower())))
        else:
            sb.info(t("There is no money or outcome indicator at the {level} level: pick "
                      "another level.", level=md(labels[level].lower())))
        return None
    state.init(k("measure"), ch.measures[0], options=ch.measures)
    measure = sb.selectbox(t("Measure"), ch.measures,
                           format_func=lambda m: t(MEASURE_LABELS.get(m, m)), key=k("measure"))

    if measure == "indicator":
        state.init(k("indicator"), ch.indicators[0], options=ch.indicators)
        ind = sb.selectbox(t("Indicator"), ch.indicators, key=k("indicator"))
        years = choices(data, level, measure, indicator=ind).indicator_years
        state.init(k("indicator_year"), years[-1], options=years, parse=int)
        year = sb.selectbox(t("Year"), years, key=k("indicator_year")) \
            if len(years) > 1 else years[0]
        return MeasureSpec(level=level, measure="indicator", indicator=ind, indicator_year=int(year))

    tlabels = {tb.id: tb.display_label for tb in data.allocation_tables(level)}
    state.init(k("table"), ch.tables[0], options=ch.tables)
    table = sb.selectbox(t("Funding table"), ch.tables, format_func=tlabels.get, key=k("table")) \
        if len(ch.tables) > 1 else ch.tables[0]
    ch = choices(data, level, measure, table)
    year_opts, fy = ch.years, ws.fiscal_year_label
    last = (year_opts[-1], year_opts[-1])
    # A span from the link outside this table's years is reported (years = 2030 (not
    # available here)), not silently replaced by the latest year.
    state.init(k("years"), last, parse=state.parse_span,
               valid=lambda s: isinstance(s, tuple) and len(s) == 2
               and s[0] in year_opts and s[1] in year_opts)
    # The range goes to the widget as `value`, not through session state: Streamlit reads a
    # range select_slider back as a single year unless its `value` is a range (and warns when
    # both are given), so the state is taken out and handed over.
    cur = st.session_state.pop(k("years"))
    if not (isinstance(cur, tuple) and len(cur) == 2 and cur[0] in year_opts and cur[1] in year_opts):
        cur = last
    if len(year_opts) > 1:
        span = sb.select_slider(t("Fiscal years"), options=year_opts, value=cur, key=k("years"),
                                format_func=lambda y: md(f"{fy}{y}"))
    else:
        span = st.session_state[k("years")] = last
        sb.caption(t("Fiscal year: {year} (the only year in this table).",
                     year=md(f"{fy}{last[0]}")))
    if measure == "change" and len(year_opts) < 2:
        sb.info(t("Change against the previous period needs money in two periods; this table "
                  "has {year} only, so every area shows no data. Pick another measure or "
                  "table.", year=md(f"{fy}{last[0]}")))
    agencies = None
    if ch.agencies:
        state.init_list(k("agencies"), [], options=ch.agencies)
        chosen = sb.multiselect(t("Agencies (none = all)"), ch.agencies, key=k("agencies"))
        agencies = tuple(chosen) if chosen else None
    else:
        st.session_state[k("agencies")] = []    # no agencies in this table: no filter left over
    average = False
    if measure == "per_capita" and span[0] != span[1]:
        state.init(k("average"), False, parse=state.parse_bool)
        average = sb.toggle(t("Average per year (instead of cumulative)"), key=k("average"))
    else:
        st.session_state[k("average")] = False  # only a per-capita span can be averaged
    spec = MeasureSpec(level=level, measure=measure, table=table,
                       span=(int(span[0]), int(span[1])), agencies=agencies, average=average)
    if (note := empty_note(data, spec)) is not None:
        sb.info(note)
    return spec


def empty_note(data: WorkspaceData, spec: MeasureSpec) -> str | None:
    """Why the money chosen leaves the map without values (no rows for these years and
    agencies), or without differences (the amounts add up to zero); None when it does not.
    A page may show it where the map would be; the sidebar shows it beside the choice."""
    if spec.measure == "indicator" or spec.table is None or spec.span is None:
        return None
    years = md(years_text(data.ws.fiscal_year_label, *spec.span))
    try:
        row = data.ledger.sum_by(spec.table, [], years=spec.span, agencies=spec.agencies)
    except ValueError:          # a table the ledger cannot filter this way: nothing to say
        return None
    rows = int(row.loc[0, "rows"]) if len(row) and row.loc[0, "rows"] == row.loc[0, "rows"] else 0
    if rows == 0:
        if spec.agencies:
            return t("The agencies chosen have no money in {years} in this table: the map has "
                     "no values. Pick other agencies or years.", years=years)
        return t("This table has no money in {years}: the map has no values. Pick other "
                 "years.", years=years)
    amount = row.loc[0, "amount"]
    if amount == 0:
        return t("The amounts chosen add up to zero in {years} (payments and de-obligations "
                 "cancel out): the map has nothing to compare.", years=years)
    return None


def class_controls(*, diverging: bool, prefix: str = "", container=None,
                   outliers: bool | None = None) -> ClassSpec:
    """The classes and colours (an expander), and under it "Mark outliers" (``outliers``;
    None: on the main map's controls, those without a ``prefix``)."""
    sb = container or st.sidebar
    k = lambda name: prefix + name  # noqa: E731
    schemes = [s for s in SCHEMES if s != "fisher_jenks_sampled"]
    default_scheme = "diverging" if diverging else "quantiles"
    state.init(k("scheme"), default_scheme, options=schemes)
    # A measure of change and a measure of amounts want different classes: when the kind of
    # measure changes, so does the scheme (to that kind's default).
    kind_key = f"_{prefix}measure_diverging"
    if st.session_state.get(kind_key, diverging) != diverging:
        st.session_state[k("scheme")] = default_scheme
    st.session_state[kind_key] = diverging
    # Breaks that cannot be used are said above the expander, where they are seen with it
    # closed; the expander opens so the breaks can be corrected.
    problem = st.session_state[k("scheme")] == "user_defined" and \
        breaks_problem(st.session_state.get(k("breaks"), st.query_params.get(k("breaks"), "")))
    slot = sb.container()
    with sb.expander(t("Classes and colours"), expanded=bool(problem)):
        scheme = st.selectbox(t("Classification"), schemes,
                              format_func=lambda s: t(SCHEME_LABELS.get(s, s)), key=k("scheme"),
                              help=t(SCHEMES[scheme_key].description)
                              if (scheme_key := st.session_state[k("scheme")]) in SCHEMES else None)
        state.init(k("k"), 5, parse=int)
        if not 3 <= int(st.session_state[k("k")]) <= 9:
            st.session_state[k("k")] = 5
        breaks = None
        if scheme == "user_defined":
            state.init(k("breaks"), "")
            text = st.text_input(t("Breaks (upper bounds, space-separated)"), key=k("breaks"),
                                 placeholder=t("e.g. 1000 5000 20000"))
            breaks, err = parse_breaks(text) if text.strip() else (None, None)
            if err or breaks is None:
                slot.warning(breaks_warning(text), icon=":material/warning:")
                scheme = "quantiles"
        n = st.slider(t("Number of classes"), 3, 9, key=k("k"),
                      disabled=not SCHEMES[scheme].uses_k,
                      help=None if SCHEMES[scheme].uses_k else
                      t("This classification sets its own classes."))
        kind = "diverging" if scheme == "diverging" else "sequential"
        pals = palette_names(kind)
        default_pal = "RdBu" if kind == "diverging" else "YlGnBu"
        state.init(k("palette"), default_pal, options=pals)
        if st.session_state[k("palette")] not in pals:
            st.session_state[k("palette")] = default_pal
        palette = st.selectbox(t("Palette (colour-blind safe)"), pals, key=k("palette"))
        state.init(k("reverse"), False, parse=state.parse_bool)
        reverse = st.toggle(t("Reverse colours"), key=k("reverse"))
    if (not prefix) if outliers is None else outliers:
        outlier_controls(key=k("outliers"), container=sb)
    return ClassSpec(scheme=scheme, k=int(n), palette=palette, reverse=bool(reverse),
                     breaks=breaks, centre=0.0 if scheme == "diverging" else None)


def breaks_problem(text: object) -> bool:
    """True when "My own breaks" cannot use ``text`` (blank, or not a valid list of breaks)."""
    text = "" if text is None else str(text)
    return not text.strip() or parse_breaks(text)[1] is not None


def breaks_warning(text: str) -> str:
    """Why the breaks typed or linked cannot be used, and what the map shows meanwhile."""
    if not str(text).strip():
        return t("Enter your breaks (upper bounds, e.g. 1000 5000 20000). Showing quantiles "
                 "meanwhile.")
    _, err = parse_breaks(text)
    # The message quotes what was typed or linked: escaped, and cut to a line.
    if err and len(err) > 300:
        err = err[:300] + "…"
    return t("{problem} Showing quantiles meanwhile.", problem=md(err or ""))


def _outlier_spec(raw: str) -> str:
    """A link's ``outliers`` value as the control writes it ("mad", "tukey:3"); ValueError
    when it is not a rule with a usable k."""
    from analysis import AnalysisError
    from analysis.outliers import parse_spec, spec_text

    try:
        parsed = parse_spec(raw)
    except AnalysisError as exc:
        raise ValueError(str(exc)) from exc
    return "" if parsed is None else spec_text(*parsed)


def outlier_controls(*, key: str = "outliers", container=None) -> str:
    """"Mark outliers": Off, median ± k·MAD or Tukey's fences, with k. The choice is kept
    under ``key`` as link text ("mad", "mad:3", "tukey:1.5"; "" = off) and returned."""
    from analysis.outliers import DEFAULT_K, MAX_K, parse_spec, spec_text

    sb = container or st.sidebar
    state.init(key, "", parse=_outlier_spec)
    rule_key, k_key, wrote_key = f"_{key}_rule", f"_{key}_k", f"_{key}_wrote"
    if rule_key not in st.session_state or st.session_state.get(wrote_key) != \
            st.session_state[key]:
        # first run, or the choice was changed from outside the widgets (a saved view)
        parsed = parse_spec(st.session_state[key])
        st.session_state[rule_key] = parsed[0] if parsed else ""
        # the widget's own range (a link may ask for k below it)
        st.session_state[k_key] = min(max(parsed[1], 0.5), MAX_K) if parsed else DEFAULT_K["mad"]

    def new_rule() -> None:                     # each rule starts at its own default k
        r = st.session_state[rule_key]
        if r:
            st.session_state[k_key] = DEFAULT_K[r]

    rule = sb.selectbox(t("Mark outliers"), list(OUTLIER_LABELS),
                        format_func=lambda r: t(OUTLIER_LABELS[r]), key=rule_key,
                        on_change=new_rule,
                        help=t("Outline the regions whose value is far from the rest. Money "
                               "spread over two orders of magnitude is judged on the log "
                               "scale."))
    spec = ""
    if rule:
        kk = sb.number_input(t("k (how far out)"), min_value=0.5, max_value=MAX_K, step=0.5,
                             key=k_key,
                             help=t("Median ± k·MAD: 3.5 is the usual cut-off of the robust "
                                    "z-score. Tukey fences: 1.5 (outliers), 3 (far out)."))
        spec = spec_text(rule, float(kk))
    st.session_state[key] = st.session_state[wrote_key] = spec
    return spec
