"""Overview: what is in the chosen workspace and where to start."""
import streamlit as st

from layers.classify import format_number
from layers.numbers import unit_label
from locales import N_, t
from ui import auth, cache, controls, state
from ui.text import md, sentences, years_text

KINDS = {"allocations": N_("Money"), "plans": N_("Plans"), "population": N_("Population"),
         "indicators": N_("Outcome indicators"), "segments": N_("Road segments")}
NONE = "—"      # a cell with nothing to say (never "None" or an empty-looking cell)

data, path = controls.page_setup()
for root in cache.missing_roots():
    st.warning(t("{variable} names a folder that does not exist: {folder}",
                 variable="`FISCALMAP_WORKSPACES`", folder=md(root)))
notice = auth.open_notice()
if data is None:
    if notice:
        st.caption(notice)
    st.stop()
ws = data.ws
st.title(md(ws.title))
state.show_ignored()
if notice:
    st.info(notice, icon=":material/lock_open:")
if ws.description:
    st.write(md(ws.description))

money_tables = [tb for tb in ws.tables if tb.kind == "allocations" and tb.id in data.ledger.tables()]
latest = max((data.years(tb.id)[1] for tb in money_tables), default=None)
facts = [t("Amounts in {currency}.", currency=md(unit_label(ws.currency)))]
if latest is not None:
    facts.insert(0, md(ws.fiscal_year_text(latest)))
if ws.data_date:
    facts.append(t("Data up to {date}.", date=md(ws.data_date)))
st.caption(sentences(facts))

st.page_link(page="pages/one_map.py", label=t("Open the one map"), icon=":material/map:")
st.page_link(page="pages/money_results.py", label=t("Money and results on one map"),
             icon=":material/target:")

st.subheader(t("Boundary levels"))
labels = {lv.id: lv.label for lv in ws.levels}
LEVEL, AREAS, FILE, WITHIN = t("Level"), t("Areas"), t("Boundary file"), t("Within")
st.dataframe([{LEVEL: lv.label, AREAS: len(data.boundaries(lv.id)), FILE: lv.file.name,
               WITHIN: labels.get(lv.parent_level, lv.parent_level) if lv.parent_level else NONE}
              for lv in ws.levels],
             hide_index=True, width="stretch",
             column_config={AREAS: st.column_config.NumberColumn(AREAS, format="localized")})

st.subheader(t("Tables"))
TABLE, KIND, ROWS, TOTAL, YEARS, SOURCE = (t("Table"), t("Kind"), t("Rows"), t("Total amount"),
                                          t("Years"), t("File"))
rows = []
for tb in ws.tables:
    row = {TABLE: tb.display_label, KIND: t(KINDS[tb.kind]) if tb.kind in KINDS else tb.kind,
           LEVEL: labels.get(tb.level, tb.level), ROWS: len(data.table(tb.id)),
           TOTAL: NONE, YEARS: NONE, SOURCE: tb.file.name}
    if tb in money_tables:
        amount, _ = data.ledger.total(tb.id)
        lo, hi = data.years(tb.id)
        row[TOTAL] = format_number(amount, tb.unit or ws.currency)
        row[YEARS] = years_text(ws.fiscal_year_label, lo, hi)
    rows.append(row)
st.dataframe(rows, hide_index=True, width="stretch",
             column_config={TABLE: st.column_config.TextColumn(TABLE, width=360),
                            ROWS: st.column_config.NumberColumn(ROWS, format="localized")})
st.caption(t("Total amount: all the money in the table over all its years, including rows "
             "that could not be placed on the map."))

n = len(data.problems)
if n:
    st.info(t("{n} note(s) about the input files (repairs, rows left out): see Data quality.",
              n=f"{n:,}"))
    st.page_link(page="pages/data_quality.py", label=t("Data quality"), icon=":material/fact_check:")
