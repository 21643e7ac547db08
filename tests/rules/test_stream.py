"""Flattened text as a token stream of labels and values, assembled into rows (rules/stream.py)."""

from __future__ import annotations

from extractor.model import Provenance
from rules.stream import Kind, assemble_rows, tokenize_text


def test_tokens_of_flattened_text():
    toks = tokenize_text("1.属于国家秘密00000002.其他法律行政法规禁止公开 0000000", Provenance(locator="line 1"))
    assert [(t.kind.value, t.text) for t in toks] == [
        ("label", "1.属于国家秘密"),
        ("value", "0000000"),
        ("label", "2.其他法律行政法规禁止公开"),
        ("value", "0000000"),
    ]
    assert toks[1].separated is False and toks[3].separated is True
    rows = assemble_rows(tokenize_text("规章 | 0 | 0 | 0 |", Provenance()))
    assert rows[0].label == "规章" and [v.text for v in rows[0].values] == ["0", "0", "0"]
    assert [t.kind for t in tokenize_text("|", Provenance())] == [Kind.VALUE]
    assert tokenize_text("|||", Provenance()) == []
