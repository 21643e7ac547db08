"""jieba through one wrapper: an explicit Tokenizer with the domain dictionary, logger quiet.

Never the global ``jieba.dt``: global state leaks across callers. The dictionary load (~0.8 s)
happens once per process, on first use, so documents whose labels all match exactly never pay it.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from dataclasses import dataclass
from functools import cache

import jieba

from rules.data import DATA_DIR

_lock = threading.Lock()


@cache
def tokenizer() -> jieba.Tokenizer:
    with _lock, tempfile.TemporaryDirectory(prefix="govreport-jieba-") as tmp:
        jieba.setLogLevel(logging.WARNING)
        tok = jieba.Tokenizer()
        # jieba caches its dictionary as a marshal file in the shared temp folder and loads it from
        # there in later processes: a file anyone may have planted, and a write outside the output
        # folder. Its own folder, removed at once: the cache saved little (~1.4 s either way).
        tok.tmp_dir = tmp
        tok.initialize()
        tok.load_userdict(str(DATA_DIR / "userdict.txt"))
        return tok


def words(text: str) -> list[str]:
    """Content words of ``text`` (punctuation and single-character function words dropped)."""
    return [w for w in tokenizer().lcut(text, HMM=False) if w.strip() and not _is_punct(w)]


def _is_punct(word: str) -> bool:
    return all(not ch.isalnum() for ch in word)


@dataclass(frozen=True, slots=True)
class Segmented:
    """A text cut into jieba words, in which a word is found only where it stands whole: its first
    character begins a word of the text and its last ends one. A run of words matches (同意|公开 holds
    同意公开), a part of one does not (申请 is not found in 申请人, nor 同意公开 in 不同意公开 when jieba
    reads 不同意 as a word). A single character is a morpheme and is found anywhere (费 in 处理费).
    A slice keeps the words of the text it was cut from; its own ends count as word ends."""

    text: str
    bounds: frozenset[int] | None  # where the words of the cut text begin or end (None: everywhere,
    # plain substring matching)
    shift: int = 0  # offset of ``text`` in the cut text

    @classmethod
    def cut(cls, text: str) -> Segmented:
        bounds, at = {0}, 0
        for word in tokenizer().cut(text, HMM=False):
            at += len(word)
            bounds.add(at)
        return cls(text, frozenset(bounds))

    @classmethod
    def plain(cls, text: str) -> Segmented:
        """``text`` with a word boundary at every offset: words are found as substrings (a cheap
        first pass: whatever stands whole also stands as a substring)."""
        return cls(text, None)

    def __len__(self) -> int:
        return len(self.text)

    def __getitem__(self, part: slice) -> Segmented:
        a, b, _ = part.indices(len(self.text))
        return Segmented(self.text[a : max(a, b)], self.bounds, self.shift + a)

    def _edge(self, i: int) -> bool:
        return i in (0, len(self.text)) or i + self.shift in self.bounds  # type: ignore[operator]

    def find(self, word: str) -> int:
        """The first offset where ``word`` stands whole, or -1."""
        i = self.text.find(word)
        if self.bounds is None or len(word) == 1:
            return i
        while i >= 0 and not (self._edge(i) and self._edge(i + len(word))):
            i = self.text.find(word, i + 1)
        return i

    def rfind(self, word: str) -> int:
        """The last offset where ``word`` stands whole, or -1."""
        i = self.text.rfind(word)
        if self.bounds is None or len(word) == 1:
            return i
        while i >= 0 and not (self._edge(i) and self._edge(i + len(word))):
            i = self.text.rfind(word, 0, i + len(word) - 1)
        return i

    def __contains__(self, word: str) -> bool:
        return word in self.text and self.find(word) >= 0
