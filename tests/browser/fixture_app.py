"""Scratch Streamlit page used only to prove the browser test harness.

Two polygons drawn through layers.assets.localize_folium + st_folium, with a
GeoJsonTooltip, no tiles (the map must work offline).
"""

import folium
import streamlit as st
from streamlit_folium import st_folium

from layers.assets import localize_folium

POLYGONS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "Parcel North", "tax": "1 200"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[2.30, 48.86], [2.36, 48.86], [2.36, 48.89], [2.30, 48.89], [2.30, 48.86]]],
            },
        },
        {
            "type": "Feature",
            "properties": {"name": "Parcel South", "tax": "3 400"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[2.30, 48.82], [2.36, 48.82], [2.36, 48.85], [2.30, 48.85], [2.30, 48.82]]],
            },
        },
    ],
}

st.title("Harness fixture map")

m = folium.Map(location=[48.855, 2.33], zoom_start=12, tiles=None)
folium.GeoJson(
    POLYGONS,
    name="parcels",
    style_function=lambda f: {"fillColor": "#1f77b4" if "North" in f["properties"]["name"] else "#d62728",
                              "color": "#333333", "weight": 1, "fillOpacity": 0.6},
    tooltip=folium.GeoJsonTooltip(fields=["name", "tax"], aliases=["Parcel", "Tax"]),
).add_to(m)
m.fit_bounds([[48.82, 2.30], [48.89, 2.36]])

# ?cdn=1 skips localization: negative control proving the harness notices
# (and blocks) CDN requests.
if st.query_params.get("cdn") != "1":
    localize_folium(m, base_url_path=st.get_option("server.baseUrlPath"))
st_folium(m, height=420, width=700, returned_objects=[], key="fixture_map")
