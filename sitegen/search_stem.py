"""lunr.js 2.3.9's Porter stemmer (`lunr.stemmer`), ported to Python for the search index.

lunr.py's own stemmer differs from lunr.js for words like "lay" and "try", so an index stemmed
by it would miss queries stemmed in the browser; `stem` gives what lunr.js gives.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

_ANY = "[^\n\r\u2028\u2029]"  # JavaScript's `.`
_CONS = "[^aeiou][^aeiouy]*"
_VOWELS = "[aeiouy][aeiou]*"
_M_GT_0 = re.compile(f"^({_CONS})?{_VOWELS}{_CONS}")
_M_EQ_1 = re.compile(f"^({_CONS})?{_VOWELS}{_CONS}({_VOWELS})?\\Z")
_M_GT_1 = re.compile(f"^({_CONS})?{_VOWELS}{_CONS}{_VOWELS}{_CONS}")
_HAS_VOWEL = re.compile(f"^({_CONS})?[aeiouy]")
_SHORT = re.compile(f"^{_CONS}[aeiouy][^aeiouwxy]\\Z")
_LAST = re.compile(f"{_ANY}\\Z")
_STEP2 = {"ational": "ate", "tional": "tion", "enci": "ence", "anci": "ance", "izer": "ize", "bli": "ble",
          "alli": "al", "entli": "ent", "eli": "e", "ousli": "ous", "ization": "ize", "ation": "ate",
          "ator": "ate", "alism": "al", "iveness": "ive", "fulness": "ful", "ousness": "ous",
          "aliti": "al", "iviti": "ive", "biliti": "ble", "logi": "log"}
_STEP3 = {"icate": "ic", "ative": "", "alize": "al", "iciti": "ic", "ical": "ic", "ful": "", "ness": ""}
_STEP4 = ("al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ou",
          "ism", "ate", "iti", "ous", "ive", "ize")


def _suffix_re(suffixes: Sequence[str]) -> re.Pattern[str]:
    return re.compile(f"^({_ANY}+?)({'|'.join(suffixes)})\\Z")


_RE = {
    "1a": re.compile(f"^({_ANY}+?)(ss|i)es\\Z"), "1a2": re.compile(f"^({_ANY}+?)([^s])s\\Z"),
    "1b": re.compile(f"^({_ANY}+?)eed\\Z"), "1b2": re.compile(f"^({_ANY}+?)(ed|ing)\\Z"),
    "atblz": re.compile("(at|bl|iz)\\Z"), "double": re.compile("([^aeiouylsz])\\1\\Z"),
    "1c": re.compile(f"^({_ANY}+?[^aeiou])y\\Z"), "2": _suffix_re(tuple(_STEP2)),
    "3": _suffix_re(tuple(_STEP3)), "4": _suffix_re(_STEP4), "4b": re.compile(f"^({_ANY}+?)(s|t)(ion)\\Z"),
    "5": re.compile(f"^({_ANY}+?)e\\Z"), "ll": re.compile("ll\\Z"),
}


def _drop_last(word: str) -> str:
    return _LAST.sub("", word, count=1)


def _step1(w: str) -> str:
    if m := _RE["1a"].match(w) or _RE["1a2"].match(w):
        w = m[1] + m[2]
    if m := _RE["1b"].match(w):
        if _M_GT_0.match(m[1]):
            w = _drop_last(w)
    elif (m := _RE["1b2"].match(w)) and _HAS_VOWEL.match(m[1]):
        w = m[1]
        if _RE["atblz"].search(w):
            w += "e"
        elif _RE["double"].search(w):
            w = _drop_last(w)
        elif _SHORT.match(w):
            w += "e"
    if m := _RE["1c"].match(w):
        w = m[1] + "i"
    return w


def _steps2to5(w: str) -> str:
    for step, table in (("2", _STEP2), ("3", _STEP3)):
        if (m := _RE[step].match(w)) and _M_GT_0.match(m[1]):
            w = m[1] + table[m[2]]
    if m := _RE["4"].match(w):
        if _M_GT_1.match(m[1]):
            w = m[1]
    elif (m := _RE["4b"].match(w)) and _M_GT_1.match(m[1] + m[2]):
        w = m[1] + m[2]
    if m := _RE["5"].match(w):
        stem = m[1]
        if _M_GT_1.match(stem) or (_M_EQ_1.match(stem) and not _SHORT.match(stem)):
            w = stem
    if _RE["ll"].search(w) and _M_GT_1.match(w):
        w = _drop_last(w)
    return w


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The stem lunr.js 2.3.9's `lunr.stemmer` gives `word` (Porter, with lunr.js's quirks)."""
    if len(word) < 3:
        return word
    starts_with_y = word[0] == "y"
    if starts_with_y:
        word = "Y" + word[1:]  # an initial y is a consonant
    word = _steps2to5(_step1(word))
    return "y" + word[1:] if starts_with_y else word
