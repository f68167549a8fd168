"""Exports of a view: map snapshots (PNG/SVG/PDF), the hearing pack, offline HTML and the
data behind the map (CSV/GeoJSON/Excel), and the saved views they are made from.

No Streamlit here: the app's pages and the command line (``python -m exports.cli``) share
these functions.
"""
