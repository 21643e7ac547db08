"""Typed rule data for legacy reports (``rules/data/legacy.toml``) and prose figures
(``rules/data/prose.toml``), loaded once and validated against ``schema.json``'s ``legacy`` keys."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from rules.constants import VERSIONS, FormVersion
from rules.data import DATA_DIR, schema_keys
from rules.form import Equation, Rule
from rules.normalize import label_key

LEGACY = FormVersion.LEGACY
TABLE_CAPTION = 0  # section number of a statistics table's caption (no standard section)


class Column(StrEnum):
    UNIT = "unit"
    CODE = "code"
    YEAR = "year"
    CUMULATIVE = "cumulative"
    PREVIOUS = "previous"


@dataclass(frozen=True, slots=True)
class LegacySection:
    number: int
    keywords: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LegacyRow:
    key: str
    labels: tuple[str, ...]  # normalised, longest first
    rank: tuple[str, ...]  # preferred synonyms, best first
    under: str | None
    notes: dict[str, str]


@dataclass(frozen=True, slots=True)
class TableWords:
    header: tuple[str, ...]
    columns: tuple[tuple[Column, str], ...]  # word -> role, in the order they are tried
    year_pattern: re.Pattern[str]
    label_units: tuple[str, ...]
    unkeyed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FactSpec:
    name: str
    legacy: str
    modern: str
    subjects: tuple[tuple[str, ...], ...]
    exclude: tuple[str, ...]
    parts: tuple[str, ...]
    scope: tuple[str, ...]
    units: tuple[str, ...]
    zero: tuple[str, ...]
    restates: tuple[tuple[str, ...], ...]  # modern cells the fact restates: alternatives of sums
    negatable: bool


@dataclass(frozen=True, slots=True)
class ProseWords:
    max_gap: int
    units: tuple[str, ...]
    amount_units: tuple[str, ...]
    negations: tuple[str, ...]
    verbs: tuple[str, ...]
    ignore_in: tuple[str, ...]  # in the sentence
    ignore_in_clause: tuple[str, ...]
    facts: tuple[FactSpec, ...]


def _toml(name: str) -> dict:
    with (DATA_DIR / name).open("rb") as fh:
        return tomllib.load(fh)


@cache
def legacy_sections() -> tuple[LegacySection, ...]:
    return tuple(
        LegacySection(s["number"], tuple(label_key(k) for k in s["keywords"])) for s in _toml("legacy.toml")["section"]
    )


@cache
def legacy_rows() -> tuple[LegacyRow, ...]:
    out = []
    for key, spec in _toml("legacy.toml")["rows"].items():
        labels = tuple(sorted({label_key(s) for s in spec["labels"]}, key=len, reverse=True))
        notes = {label_key(k): v for k, v in spec.get("notes", {}).items()}
        out.append(LegacyRow(key, labels, tuple(label_key(s) for s in spec.get("rank", [])), spec.get("under"), notes))
    return tuple(out)


@cache
def table_words() -> TableWords:
    raw = _toml("legacy.toml")
    t = raw["table"]
    cols = [(Column.UNIT, w) for w in t["unit"]] + [(Column.CODE, w) for w in t["code"]]
    cols += [(Column.CUMULATIVE, w) for w in t["cumulative"]] + [(Column.PREVIOUS, w) for w in t["previous"]]
    cols += [(Column.YEAR, w) for w in t["year"]]
    return TableWords(
        tuple(t["header"]),
        tuple(cols),
        re.compile(t["year_pattern"]),
        tuple(sorted(t["label_units"], key=len, reverse=True)),
        tuple(label_key(s) for s in raw["unkeyed"]["labels"]),
    )


@cache
def equations() -> tuple[Equation, ...]:
    """The legacy tables' sums (total = its parts), as equations of the form (:mod:`rules.form`)."""
    return tuple(
        Equation(Rule.LEGACY_SUM, e["total"], (e["total"],), tuple(e["parts"]))
        for e in _toml("legacy.toml")["equation"]
    )


@cache
def prose_words() -> ProseWords:
    raw = _toml("prose.toml")
    facts = tuple(
        FactSpec(
            f["name"],
            f["legacy"],
            f["modern"],
            tuple(tuple(alt) for alt in f["subjects"]),
            tuple(f.get("exclude", [])),
            tuple(f.get("parts", [])),
            tuple(f.get("scope", [])),
            tuple(f["units"]),
            tuple(f.get("zero", [])),
            tuple(tuple(alt) for alt in f.get("restates", [])),
            bool(f.get("negatable", True)),
        )
        for f in raw["fact"]
    )
    return ProseWords(
        raw["max_gap"],
        tuple(sorted(raw["units"], key=len, reverse=True)),
        tuple(raw["amount_units"]),
        tuple(sorted(raw["negations"], key=len, reverse=True)),
        tuple(raw["verbs"]),
        tuple(raw["ignore_in"]),
        tuple(raw["ignore_in_clause"]),
        facts,
    )


def validate_legacy() -> list[str]:
    """Problems in legacy.toml / prose.toml (empty when consistent). Tests assert this is empty."""
    problems: list[str] = []
    keys = schema_keys(LEGACY)
    seen: dict[tuple[str, str | None], str] = {}
    for row in legacy_rows():
        if row.key not in keys:
            problems.append(f"legacy.toml: rows.{row.key} is not a legacy key of schema.json")
        if row.under and row.under not in keys:
            problems.append(f"legacy.toml: rows.{row.key} is under unknown {row.under}")
        for s in row.labels:
            other = seen.get((s, row.under))
            if other and other != row.key:
                problems.append(f"legacy.toml: label {s} is given to both {other} and {row.key}")
            seen[(s, row.under)] = row.key
        if not set(row.rank) <= set(row.labels):
            problems.append(f"legacy.toml: rows.{row.key} ranks a label it does not list")
    for eq in equations():
        for k in eq.keys:
            if k not in keys:
                problems.append(f"legacy.toml: equation names unknown key {k}")
    if sorted({s.number for s in legacy_sections()}) != [0, 1, 2, 3, 4, 5, 6]:
        problems.append("legacy.toml: every standard section 1-6 and the table caption (0) need keywords")
    modern = {k: c for v in VERSIONS for k, c in schema_keys(v).items()}
    words = prose_words()
    for f in words.facts:
        if f.legacy and f.legacy not in keys:
            problems.append(f"prose.toml: fact {f.name}: {f.legacy} is not a legacy key")
        if f.modern and not f.modern.startswith("facts."):
            problems.append(f"prose.toml: fact {f.name}: {f.modern} is not a facts.* key")
        for alt in f.restates:
            if any(k not in modern for k in alt):
                problems.append(f"prose.toml: fact {f.name} restates a key of neither form: {alt}")
        if not set(f.units) <= set(words.units):
            problems.append(f"prose.toml: fact {f.name} uses a unit not in `units`")
    return problems
