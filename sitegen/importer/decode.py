"""Bytes of a raw file to text: UTF-8 first, else a detected encoding, else refused."""
from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

# Byte-order marks say the encoding outright; no guessing needed.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_WESTERN = ("cp1252", "latin_1", "iso8859_15")
_CHAOS_TIE = 0.05  # candidates this close in charset-normalizer's "chaos" count as equally good
_MAX_CONTROL_SHARE = 0.01  # more control characters than this and the "text" is binary
# A few stray control characters (NUL, ESC, DEL...) are junk a title must not carry: dropped.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_LINE_ENDS = str.maketrans({"\f": "\n", "\v": "\n", "\x1c": "\n", "\x1d": "\n", "\x1e": "\n",
                            "\x85": "\n", "\u2028": "\n", "\u2029": "\n\n"})


@dataclass(frozen=True)
class Decoded:
    """Text of a file, and the encoding it was read with."""

    text: str  # NFC, newlines as \n
    encoding: str  # Python codec name, e.g. "utf_8", "cp1252", "utf_16"
    is_detected: bool  # True when the file was not UTF-8 and the encoding was detected


class DecodeError(ValueError):
    """The bytes are not text in any encoding we can tell."""


def decode_text(raw: bytes) -> Decoded:
    """Decode `raw`: a BOM's encoding, else UTF-8, else the encoding charset-normalizer finds."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return _checked(raw.decode(encoding), codecs.lookup(encoding).name, encoding != "utf-8-sig")
    try:
        return _checked(raw.decode("utf-8"), "utf-8", False)
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # here: importing it takes ~10 ms off every build's start

    matches = list(from_bytes(raw))
    if not matches:
        raise DecodeError("not text in any encoding sitegen can detect")
    # Short Western European text reads almost as well in several single-byte code pages
    # (cp1257 turns "Crème" into "Crčme"); newsroom files that are not UTF-8 are overwhelmingly
    # Windows-1252 / Latin-1, so among near-equal candidates that one wins.
    close = [m for m in matches if m.chaos <= matches[0].chaos + _CHAOS_TIE]
    match = next((m for m in close if m.encoding in _WESTERN), matches[0])
    return _checked(str(match), codecs.lookup(match.encoding).name, True)


def strip_control(text: str) -> str:
    """`text` without control characters other than tab, newline and carriage return."""
    return _CONTROL.sub("", text)


def _checked(text: str, encoding: str, is_detected: bool) -> Decoded:
    """NFC text with \\n line ends and no control characters; refused if it has many."""
    text = unicodedata.normalize("NFC", text.translate(_LINE_ENDS).replace("\r\n", "\n").replace("\r", "\n"))
    control = _CONTROL.findall(text)
    if text and len(control) / len(text) > _MAX_CONTROL_SHARE:
        raise DecodeError(f"looks like a binary file ({len(control)} control characters when read as {encoding})")
    return Decoded(_CONTROL.sub("", text), encoding, is_detected)
