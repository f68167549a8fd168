"""Browser files of the app's own map: fiscalmap.js/.css (shared with the folium renderer) and
the component page (index.html, component.js)."""
from pathlib import Path

WEB_DIR = Path(__file__).resolve().parent
FISCALMAP_JS = (WEB_DIR / "fiscalmap.js").read_text(encoding="utf-8")
FISCALMAP_CSS = (WEB_DIR / "fiscalmap.css").read_text(encoding="utf-8")
