"""Cleaning and splitting the raw text of a time-frame cell before it is read.

Cells come from Word tables exported as text: NFD or NFC, soft line breaks inside a phrase
("Thường\\n xuyên"), non-breaking spaces, list markers ("- Thành lập ...;\\n- Đưa vào ..."),
trailing punctuation. Nothing here guesses a meaning.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u200b": "", "\ufeff": ""})
_DASHES = re.compile(r"\s*(?:->|=>|→|⟶|–|—|−|‑)\s*")
_SPACES = re.compile(r"\s+")
_MARKER = r"[-+•*·]"
_LEADING_MARKERS = re.compile(rf"^(?:{_MARKER}\s*)+")
_TRAILING = re.compile(r"[\s.,;:]+$")
_LIST_LINE = re.compile(rf"\n\s*(?={_MARKER}\s)")

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).translate(_INVISIBLE)


def clean(text: str) -> str:
    """One line, single spaces, no list marker in front, no punctuation at the end."""
    text = _DASHES.sub(" - ", nfc(text))
    text = _SPACES.sub(" ", text).strip()
    text = _LEADING_MARKERS.sub("", text)
    return _TRAILING.sub("", text).strip()


def split_items(text: str) -> list[str]:
    """The items of a cell: split at ';' and, when the cell is a list, at each new '- ' line.

    "2021\\n- 2025" is a range, not a list: a cell is a list only when it starts with a marker.
    """
    text = nfc(text)
    pieces = text.split(";")
    if _LEADING_MARKERS.match(text.lstrip()):
        pieces = [item for piece in pieces for item in _LIST_LINE.split(piece)]
    return [piece for piece in pieces if clean(piece)]


def roman_or_int(token: str) -> int:
    token = token.lower()
    return ROMAN[token] if token in ROMAN else int(token)


def word_starts(text: str) -> list[int]:
    """Offsets where each word after the first begins, to try the places a label can end."""
    return [m.start() for m in re.finditer(r"(?<=\s)\S", text)]
