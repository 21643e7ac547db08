"""jieba through one wrapper: an explicit Tokenizer with the domain dictionary, logger quiet.

Never the global ``jieba.dt``: global state leaks across callers. The dictionary load (~0.8 s)
happens once per process, on first use, so documents whose labels all match exactly never pay it.
"""

from __future__ import annotations

import logging
import threading
from functools import cache

import jieba

from rules.data import DATA_DIR

_lock = threading.Lock()


@cache
def tokenizer() -> jieba.Tokenizer:
    with _lock:
        jieba.setLogLevel(logging.WARNING)
        tok = jieba.Tokenizer()
        tok.initialize()
        tok.load_userdict(str(DATA_DIR / "userdict.txt"))
        return tok


def words(text: str) -> list[str]:
    """Content words of ``text`` (punctuation and single-character function words dropped)."""
    return [w for w in tokenizer().lcut(text, HMM=False) if w.strip() and not _is_punct(w)]


def _is_punct(word: str) -> bool:
    return all(not ch.isalnum() for ch in word)
