"""Cells left out because their printed digits can be read several ways — kept as evidence.

Within one report, a run of digits whose boundaries were lost (``行政规范性文件693665``) is read
only where the report's own equations and prose leave one reading; otherwise its cells are left
out (``rules.tables``). What is left is recorded here: the keys still undetermined, the readings
that remain (each already consistent with the report's own equations), the printed tokens with
their provenance, and the numbers the report's prose gives for the row. The batch step
(:mod:`rules.crossyear_resolve`) may then settle them with the same agency's neighbouring years.

A record travels through the dataset as a ``warnings`` row of kind :data:`AMBIGUOUS_KIND` whose
message is the record as JSON, so nothing in the batch machinery has to know about it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rules.recover import Piece
from rules.stream import Token

AMBIGUOUS_KIND = "ambiguous_cells"


@dataclass(frozen=True, slots=True)
class PrintedToken:
    text: str
    page: int | None
    bbox: str | None
    locator: str | None
    method: str
    remark: str | None = None  # a bracketed remark printed after it (kept for the note)

    @classmethod
    def of(cls, tok: Token) -> PrintedToken:
        return cls(tok.text, tok.prov.page, tok.prov.bbox_str(), tok.prov.locator, tok.method, tok.remark)


@dataclass(frozen=True, slots=True)
class Reading:
    values: tuple[float | None, ...]  # one per key
    # per key: (index into tokens, the printed characters, whether it is the token's last cell —
    # the one a remark printed after the token belongs to)
    pieces: tuple[tuple[int, str, bool], ...]


@dataclass(frozen=True, slots=True)
class Ambiguity:
    keys: tuple[str, ...]
    tokens: tuple[PrintedToken, ...]
    readings: tuple[Reading, ...]
    prose: tuple[float, ...] = ()  # numbers the report's text gives near the row's label

    @property
    def printed(self) -> str:
        return " ".join(t.text for t in self.tokens)

    def to_json(self) -> str:
        return json.dumps(
            {
                "keys": list(self.keys),
                "tokens": [[t.text, t.page, t.bbox, t.locator, t.method, t.remark] for t in self.tokens],
                "readings": [{"values": list(r.values), "pieces": [list(p) for p in r.pieces]} for r in self.readings],
                "prose": list(self.prose),
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> Ambiguity:
        raw = json.loads(text)
        return cls(
            tuple(raw["keys"]),
            tuple(PrintedToken(*t) for t in raw["tokens"]),
            tuple(
                Reading(tuple(r["values"]), tuple((int(i), str(s), bool(last)) for i, s, last in r["pieces"]))
                for r in raw["readings"]
            ),
            tuple(raw.get("prose", ())),
        )


@dataclass(frozen=True, slots=True)
class RowPart:
    """One row's share of a record: its undetermined keys, printed tokens and distinct readings;
    ``index_of[i]`` is the part's reading for the row's reading ``i``."""

    keys: tuple[str, ...]
    tokens: tuple[PrintedToken, ...]
    readings: tuple[Reading, ...]
    index_of: tuple[int, ...]


def row_part(
    keys: Sequence[str],
    tokens: Sequence[Token],
    readings: Sequence[Sequence[Piece]],
    values: Sequence[Sequence[float | None]],
    undetermined: Sequence[bool],
    offset: int = 0,
) -> RowPart:
    """A row's readings restricted to its undetermined keys (token indexes shifted by ``offset``
    when the record spans several rows)."""
    idx = [i for i, u in enumerate(undetermined) if u]
    seen: dict[tuple[float | None, ...], int] = {}
    out: list[Reading] = []
    index_of = []
    for rd, vals in zip(readings, values, strict=True):
        sub = tuple(vals[i] for i in idx)
        if sub not in seen:
            seen[sub] = len(out)
            last = {p.token: j for j, p in enumerate(rd)}
            out.append(Reading(sub, tuple((rd[i].token + offset, rd[i].text, last[rd[i].token] == i) for i in idx)))
        index_of.append(seen[sub])
    return RowPart(tuple(keys[i] for i in idx), tuple(PrintedToken.of(t) for t in tokens), tuple(out), tuple(index_of))


def record(parts: Sequence[RowPart], combos: Sequence[Sequence[int]], prose: Iterable[float] = ()) -> Ambiguity:
    """A record over the rows of ``parts`` whose readings go together: each combo gives, per part,
    the index of the row's (original) reading in one joint reading."""
    readings = []
    for combo in dict.fromkeys(tuple(p.index_of[i] for p, i in zip(parts, c, strict=True)) for c in combos):
        chosen = [p.readings[i] for p, i in zip(parts, combo, strict=True)]
        readings.append(Reading(tuple(v for r in chosen for v in r.values), tuple(x for r in chosen for x in r.pieces)))
    return Ambiguity(
        tuple(k for p in parts for k in p.keys),
        tuple(t for p in parts for t in p.tokens),
        tuple(readings),
        tuple(sorted(prose)),
    )
