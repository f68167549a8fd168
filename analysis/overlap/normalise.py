"""Recipient names and purpose texts as they are compared: the name normalisation steps of the
rules, and the one rule for purpose texts (case, punctuation and spacing ignored)."""
from __future__ import annotations

import re
import unicodedata
from typing import Sequence

import numpy as np

from .rules import DEFAULT_NAME_STEPS


# Legal-form words at the end of a name ("Inc.", "Incorporated" and its misspellings seen in
# filings, "Corp", "LLC"…), possibly several ("…, Inc., The"); "The" at the start.
_LEGAL = (r"inc|incorporated|incoporated|incorported|incorparated|incorp|corp|corporation|"
          r"co|company|llc|l\s*l\s*c|ltd|limited|lp|llp|pllc|pc|the")
_LEGAL_TAIL = re.compile(rf"(?:[\s,.;]+(?:{_LEGAL})\.?)+[\s,.;]*$", re.IGNORECASE)
_LEADING_THE = re.compile(r"^\s*the\s+", re.IGNORECASE)
_PUNCT = re.compile(r"[^\w\s]+")
_NOT_WORD = re.compile(r"\W")
_SPACES = re.compile(r"\s+")


def normalise_name(name: str, steps: Sequence[str] = DEFAULT_NAME_STEPS) -> str:
    """A recipient name as matched: the ``steps`` applied in a fixed order, then surrounding
    and repeated spaces dropped. "Wave Hill Incoporated" and "Wave Hill, Inc." both give
    "wave hill" with the default steps."""
    s = unicodedata.normalize("NFKC", str(name))
    if "accents" in steps:
        s = unicodedata.normalize("NFKD", s)
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
    if "casefold" in steps:
        s = s.casefold()
    if "and" in steps:
        s = s.replace("&", " and ")
    if "legal_suffixes" in steps:
        # before punctuation goes, so "Inc." and ", The" are still seen as words
        prev = None
        while prev != s:
            prev = s
            s = _LEGAL_TAIL.sub("", s)
            s = _LEADING_THE.sub("", s)
    if "strip_punctuation" in steps:
        s = _PUNCT.sub(" ", s)
        if "legal_suffixes" in steps:
            s = _LEGAL_TAIL.sub("", s)
    return _SPACES.sub(" ", s).strip()


def normalise_purpose(text: str) -> str:
    """A purpose text as compared: letter case, punctuation and spacing ignored (the rule
    :func:`_purpose_keys` applies to a whole column at once)."""
    s = unicodedata.normalize("NFKC", str(text)).lower()
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", s)).strip()


def _purpose_keys(texts: np.ndarray) -> np.ndarray:
    """:func:`normalise_purpose` of many texts at once, in Arrow's string kernels."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(list(texts), type=pa.large_string())
    arr = pc.utf8_lower(pc.utf8_normalize(arr, "NFKC"))
    arr = pc.replace_substring_regex(arr, r"[^\p{L}\p{N}_]", " ")
    arr = pc.replace_substring_regex(arr, r"  +", " ")
    return np.asarray(pc.utf8_trim_whitespace(arr).to_pylist(), dtype=object)
