"""Browser files of the deck.gl views (layers/deck.py): deck.js/.css (shared by the app's
component and the offline HTML export) and the component page (index.html, component.js)."""
from pathlib import Path

WEB_DECK_DIR = Path(__file__).resolve().parent
DECK_JS = (WEB_DECK_DIR / "deck.js").read_text(encoding="utf-8")
DECK_CSS = (WEB_DECK_DIR / "deck.css").read_text(encoding="utf-8")
