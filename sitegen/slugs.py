"""Name normalisation and ASCII slugs. Pure functions."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

# Letters that NFKD does not decompose into ASCII plus a combining mark.
_TRANSLITERATIONS = {
    "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE",
    "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D",
    "ı": "i", "&": " and ", "'": "", "’": "",
}
_TRANSLATE = str.maketrans(_TRANSLITERATIONS)
_NON_SLUG = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")
MAX_SLUG_LENGTH = 80


def normalise_name(name: str) -> str:
    """The display form of a name: NFC, inner whitespace collapsed, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip()


@lru_cache(maxsize=1 << 16)  # the model and the search index ask for each term's key many times
def name_key(name: str) -> str:
    """A name's identity: two names are one term when their keys are equal."""
    return normalise_name(name).casefold()


def fold_accents(text: str) -> str:
    """Strip combining marks and transliterate: `Société` -> `Societe`."""
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLATE))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def slugify(text: str, fallback: str = "untitled") -> str:
    """An ASCII slug safe as one path segment: `Zoë Ball` -> `zoe-ball`, `Владимир Путин` ->
    `vladimir-putin`, `習近平` -> `xijinping`; `fallback` when nothing is left."""
    name = normalise_name(text)
    folded = fold_accents(name)
    if not folded.isascii():  # another script: anyascii's romanisation of its letters and digits
        folded = anyascii("".join(map(_letter_or_space, name.translate(_TRANSLATE))))
    folded = folded.lower()
    slug = _NON_SLUG.sub("-", folded).strip("-")
    if len(slug) > MAX_SLUG_LENGTH:
        slug = slug[:MAX_SLUG_LENGTH].rstrip("-")
    return slug or fallback


def _letter_or_space(char: str) -> str:
    """`char` if it is ASCII, a letter, a mark or a digit; else a space, so a symbol such as
    an emoji drops out of a slug rather than becoming a word like `tada`."""
    return char if char.isascii() or unicodedata.category(char)[0] in "LMN" else " "


def is_valid_slug(slug: str) -> bool:
    """True if `slug` is already a clean slug (what `slugify` would keep)."""
    return bool(slug) and slugify(slug, fallback="") == slug
