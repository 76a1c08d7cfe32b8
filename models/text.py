"""Text folding shared by storage and search, so both sides agree on what matches."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)
# Letters that do not decompose into base + accent but that people type without the accent.
_EXTRA = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ı": "i",
    }
)


def fold(text: str) -> str:
    """Lower-case, accent-free form: "Zoé Ørsted" -> "zoe orsted"."""
    # Decompose first: "Ǣ" only becomes "Æ" (and "ǿ" "ø") once its accent is split off.
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.translate(_EXTRA).casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def sort_key(family_name: str, given_name: str) -> str:
    return f"{fold(family_name).strip()} {fold(given_name).strip()}".strip()
