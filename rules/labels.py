"""Match a printed table label to a row of the form.

Exact containment of a normalised synonym first (the longest wins); when none is contained, a
fuzzy match on jieba words and characters tolerates small typos such as 其他法律行政止公开.
"""

from __future__ import annotations

from difflib import SequenceMatcher

from rules.data import RowSpec, request_groups, row_specs
from rules.normalize import label_key
from rules.tokenize import words

FUZZY_MIN_CHAR_RATIO = 0.8
FUZZY_MIN_WORD_RECALL = 0.75
FUZZY_MIN_LABEL_CHARS = 4
FUZZY_MIN_CHAR_RATIO_WITH_WORDS = 0.6  # enough characters in common when the words are there


def _fuzzy_score(label: str, synonym: str) -> float:
    if len(label) < FUZZY_MIN_LABEL_CHARS or len(synonym) < FUZZY_MIN_LABEL_CHARS:
        return 0.0
    ratio = SequenceMatcher(None, label, synonym).ratio()
    syn_words = set(words(synonym))
    recall = len(syn_words & set(words(label))) / len(syn_words) if syn_words else 0.0
    if ratio >= FUZZY_MIN_CHAR_RATIO or (recall >= FUZZY_MIN_WORD_RECALL and ratio >= FUZZY_MIN_CHAR_RATIO_WITH_WORDS):
        return ratio
    return 0.0


def match_row(table: str, label: str, group: str | None = None) -> tuple[RowSpec, bool] | None:
    """The row ``label`` names, and whether the match was fuzzy; ``None`` when it names none."""
    key = label_key(label)
    if not key:
        return None
    # The leaf label is printed last ("（三）不予公开 1.属于国家秘密"): the synonym that ends
    # latest in the label wins, then the longest.
    best: tuple[int, int, RowSpec] | None = None
    for spec in row_specs(table):
        if spec.group and spec.group != group:
            continue
        for syn in spec.labels:
            end = (len(key) if key == syn else -1) if spec.exact else key.rfind(syn) + len(syn)
            if end >= len(syn) and (best is None or (end, len(syn)) > best[:2]):
                best = (end, len(syn), spec)
    if best is not None:
        return best[2], False
    scored = [
        (_fuzzy_score(key, syn), spec)
        for spec in row_specs(table)
        if not spec.exact and not (spec.group and spec.group != group)
        for syn in spec.labels
    ]
    scored = [s for s in scored if s[0] > 0]
    if scored:
        scored.sort(key=lambda s: s[0], reverse=True)
        return scored[0][1], True
    return None


def match_group(label: str) -> str | None:
    """The section-三 group heading ``label`` is (不予公开, 无法提供 …), if any."""
    key = label_key(label)
    for group, words_ in request_groups().items():
        if any(key == w or key.endswith(w) for w in words_):
            return group
    return None
