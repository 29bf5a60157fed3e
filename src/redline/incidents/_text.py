"""Text normalisation shared by de-duplication and classification (no domain logic)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+")

STOP_WORDS = frozenset(
    """a about after against all also an and any are as at be been before being but by
    can could did do does for from had has have he her his how i if in into is it its
    may more most new no not of on or our over says she should so some such than that
    the their them then there these they this those to under up was we were what when
    which while who will with would you your""".split()  # noqa: SIM905  (a list literal would run 90 columns wide)
)
"""English function words: frequent everywhere, so they only add noise to matching."""


_COMBINING = re.compile("[\u0300-\u036f]")
"""Combining diacritical marks, which NFKD splits off accented Latin letters."""


def normalise(text: str) -> str:
    """Lower-case, strip accents and fold typographic quotes ("Google’s" -> "google's")."""
    folded = text.replace("\u2019", "'").replace("\u2018", "'")
    if not folded.isascii():  # only then can there be accents to strip
        folded = _COMBINING.sub("", unicodedata.normalize("NFKD", folded))
    return folded.lower()


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """Strip a plural ending, the lightest stemming that still matches "deepfakes" with "deepfake"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def content_words(text: str) -> list[str]:
    """The text's words, normalised and stemmed, without function words or possessive 's."""
    words = _WORD.findall(normalise(text).replace("'s", ""))
    return [stem(w) for w in words if w not in STOP_WORDS]
