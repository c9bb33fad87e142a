"""Factory names compared the way a reviewer would: likely duplicates of a registration."""

import re
import unicodedata
from difflib import SequenceMatcher

# Legal-form and filler words that do not tell two factories apart.
_NOISE = {
    "co",
    "company",
    "ltd",
    "limited",
    "llc",
    "plc",
    "pt",
    "sa",
    "sae",
    "pty",
    "pvt",
    "inc",
    "corp",
    "corporation",
    "the",
    "and",
    "garment",
    "garments",
    "factory",
    "industries",
    "industry",
    "group",
}
SIMILARITY_THRESHOLD = 0.85


def normalize_name(name: str) -> str:
    """Lower case, accents and punctuation removed, legal forms dropped: "Golden Thread Co., Ltd." → "golden thread"."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w and w not in _NOISE]
    return " ".join(words)


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, normalize_name(a), normalize_name(b)).ratio()


def is_likely_duplicate(a: str, b: str) -> bool:
    na, nb = normalize_name(a), normalize_name(b)
    return bool(na) and (na == nb or SequenceMatcher(None, na, nb).ratio() >= SIMILARITY_THRESHOLD)
