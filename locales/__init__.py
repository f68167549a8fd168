"""Messages in the reader's language: English (the source text) and Simplified Chinese.

Every user-facing string in pages, ui, layers, exports and the command lines is written in
English and passed through :func:`t` (gettext style: the English text is the message id):

    t("Total on the map")
    t("{n} of {total} regions with data", n=3, total=51)

Catalogs are gettext ``.po`` files under ``locales/<lang>/LC_MESSAGES/`` (one per area of the
app, all merged when a language is first used), read with Babel. A message with no
translation is shown in English; ``tests/unit/test_i18n.py`` checks that every message in the
code has a Chinese translation with the same placeholders.

Strings defined at import time (tables of labels) are marked with :func:`N_` and translated
where they are shown: ``t(LABELS[key])``.

The language of the current run is a context variable: the app sets it once per rerun
(``ui.i18n``), a command line once per run (``--lang``); :func:`use` sets it for a block.
Text from data (region names, titles in a manifest) is never translated.
"""
from __future__ import annotations

import contextlib
import contextvars
import string
import threading
from pathlib import Path
from typing import Iterator

LOCALES_DIR = Path(__file__).resolve().parent
DEFAULT = "en"
#: Languages offered, each named in itself.
LANGUAGES: dict[str, str] = {"en": "English", "zh": "中文"}

_current: contextvars.ContextVar[str] = contextvars.ContextVar("fiscalmap_lang", default=DEFAULT)
_catalogs: dict[str, dict[str, str]] = {}
_lock = threading.Lock()
_fields = string.Formatter()


def normalise(tag: object) -> str | None:
    """A language tag ("zh-CN", "zh_Hans", "en-US", "ZH") → a supported language, or None."""
    if not isinstance(tag, str):
        return None
    base = tag.strip().replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else None


def lang_in_argv(argv: list[str]) -> str | None:
    """The language a command line asks for with ``--lang X`` or ``--lang=X`` (None when it
    names none or one the app lacks), read before its arguments are parsed so that its help
    and its usage errors are in that language too."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return normalise(argv[i + 1])
        if arg.startswith("--lang="):
            return normalise(arg.split("=", 1)[1])
    return None


def current() -> str:
    return _current.get()


def set_language(lang: str | None) -> str:
    """Use ``lang`` (any tag :func:`normalise` accepts; English otherwise) from now on in this
    context. Returns the language set."""
    lang = normalise(lang) or DEFAULT
    _current.set(lang)
    return lang


@contextlib.contextmanager
def use(lang: str | None) -> Iterator[str]:
    """Within the block, messages are in ``lang``."""
    token = _current.set(normalise(lang) or DEFAULT)
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def catalog_files(lang: str) -> list[Path]:
    return sorted((LOCALES_DIR / lang / "LC_MESSAGES").glob("*.po"))


def _load(lang: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    out: dict[str, str] = {}
    for path in catalog_files(lang):
        with path.open("rb") as fh:
            cat = read_po(fh, locale=lang)
        for msg in cat:
            if not msg.id or not isinstance(msg.id, str) or msg.fuzzy:
                continue
            if isinstance(msg.string, str) and msg.string:
                out[msg.id] = msg.string
    return out


def catalog(lang: str) -> dict[str, str]:
    """Message id → translation for ``lang`` (empty for English)."""
    if lang == DEFAULT:
        return {}
    cat = _catalogs.get(lang)
    if cat is None:
        with _lock:
            cat = _catalogs.get(lang)
            if cat is None:
                cat = _catalogs[lang] = _load(lang)
    return cat


def reload() -> None:
    """Forget the catalogs read so far (tests, or after editing a .po file)."""
    with _lock:
        _catalogs.clear()


def placeholders(text: str) -> set[str]:
    """The named fields of a message ("{n} of {total}" → {"n", "total"})."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in _fields.parse(text)
            if name is not None and name != ""}


def t(msgid: str, /, **kwargs: object) -> str:
    """``msgid`` in the current language, with ``kwargs`` put into its ``{fields}``.

    Values are inserted as given (format them first, e.g. with layers.classify.format_number).
    A translation whose fields do not match the English falls back to the English text.
    """
    text = catalog(current()).get(msgid, msgid)
    if not kwargs:
        return text
    try:
        return text.format(**kwargs)
    except (KeyError, IndexError, ValueError):
        return msgid.format(**kwargs)


def tn(singular: str, plural: str, n: int, /, **kwargs: object) -> str:
    """The singular or the plural message for ``n`` (Chinese has one form: the plural's)."""
    msgid = singular if (n == 1 and current() == DEFAULT) else plural
    return t(msgid, n=n, **kwargs)


def N_(msgid: str) -> str:
    """Marks a message defined at import time; translate it with :func:`t` where it is shown."""
    return msgid
