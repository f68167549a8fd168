"""Fiscal map dashboard: where the money goes and what it achieves, on one map.

Entry point only: the reader's language, then navigation. Each page sets itself up (page
config, workspace picker) through ``ui.controls.page_setup`` so that a page also works when
Streamlit runs it directly, as it does for a deep link before the first visit to the root URL
(the folder is called ``pages/``, which Streamlit also reads on its own). URL paths equal the
file names so both ways agree.
"""
import streamlit as st

from locales import N_, t
from ui import auth, i18n

i18n.setup()
PAGES = [
    ("pages/overview.py", N_("Overview"), None),
    ("pages/one_map.py", N_("One map"), "one_map"),
    ("pages/per_capita.py", N_("Per capita"), "per_capita"),
    ("pages/money_results.py", N_("Money and results"), "money_results"),
    ("pages/roads.py", N_("Roads"), "roads"),
    ("pages/early_warning.py", N_("Early warning"), "early_warning"),
    ("pages/scorecard.py", N_("Scorecard"), "scorecard"),
    ("pages/analysis.py", N_("Analysis"), "analysis"),
    ("pages/data_quality.py", N_("Data quality"), "data_quality"),
    ("pages/sources.py", N_("Sources"), "sources"),
    ("pages/hearing.py", N_("Hearing"), "hearing"),
]
if auth.can_import():                # editors (everyone when sign-in is off)
    PAGES.append(("pages/import_data.py", N_("Import data"), "import_data"))
if auth.is_admin_somewhere():        # the log names people: only its readers see the page
    PAGES.append(("pages/audit_log.py", N_("Audit log"), "audit_log"))

st.navigation([st.Page(file, title=t(title), url_path=url, default=url is None)
               if url else st.Page(file, title=t(title), default=True)
               for file, title, url in PAGES], expanded=True).run()
