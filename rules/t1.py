"""Rule T1: a figure stated in prose equals the table cell it restates (spec/OUTPUT.md).

In a legacy report a fact restates the cell of its own key; in a 2019+ report the cells its
``prose.toml`` entry names (``restates``: alternatives of sums, such as 本年新收 or 本年新收 +
上年结转 for 收到申请). One check per fact key: it passes when every sentence agrees.
"""

from __future__ import annotations

from collections.abc import Sequence

from rules.checks import Check
from rules.constants import TOLERANCE
from rules.legacy_data import LEGACY, prose_words
from rules.prose_facts import Fact
from rules.tables import Cell

RULE = "T1"


def _alternatives(fact: Fact, version: str | None) -> tuple[tuple[str, ...], ...]:
    if version == LEGACY:
        return ((fact.key,),)
    spec = next((s for s in prose_words().facts if s.name == fact.name), None)
    return spec.restates if spec else ()


def t1_checks(facts: Sequence[Fact], cells: Sequence[Cell], version: str | None) -> list[Check]:
    table = {c.key: c.value for c in cells if c.token.method != "prose"}
    by_key: dict[str, list[Fact]] = {}
    for f in facts:
        by_key.setdefault(f.key, []).append(f)
    out: list[Check] = []
    for key, fs in by_key.items():
        alts = [alt for alt in _alternatives(fs[0], version) if all(k in table for k in alt)]
        if not alts:
            continue
        said = "; ".join(f"{f.value:g} ({f.sentence[:40]})" for f in fs)
        sums = []
        for alt in alts:
            vals = [table[k] for k in alt]
            if any(v is None for v in vals):
                continue
            sums.append((" + ".join(alt), sum(v for v in vals if v is not None)))
        if not sums:
            out.append(Check(RULE, key, None, f"prose states {said}; the table cell is blank: not evaluable"))
            continue
        ok = all(any(abs(f.value - s) <= TOLERANCE for _, s in sums) for f in fs)
        table_side = " or ".join(f"{name} = {s:g}" for name, s in sums)
        out.append(Check(RULE, key, ok, f"prose {said} {'agrees with' if ok else '≠'} {table_side}"))
    return out
