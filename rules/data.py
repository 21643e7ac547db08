"""Load and validate the rule data in ``rules/data/`` (the form, headings, value words, schema).

Everything the rules know about the national form lives in these files, not in code. They are
read once per process (``functools.cache``) and checked against ``schema.json`` on load, so a
typo in a data file fails loudly instead of silently mapping nothing.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rules.normalize import label_key

DATA_DIR = Path(__file__).resolve().parent / "data"
VERSIONS = ("2019", "2021")


class RuleDataError(ValueError):
    """A data file under rules/data is inconsistent."""


@dataclass(frozen=True, slots=True)
class SchemaCell:
    key: str
    table: str
    row: str
    col: str
    label: str
    unit: str


@dataclass(frozen=True, slots=True)
class RowSpec:
    """One printed row of a standard table."""

    table: str
    row: str
    labels: tuple[str, ...]  # normalised synonyms, longest first
    group: str | None
    exact: bool  # the label must equal a synonym, not just contain it


@dataclass(frozen=True, slots=True)
class SectionSpec:
    number: int
    label: str
    keywords: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ValueWords:
    dashes: frozenset[str]
    units: dict[str, float]
    count_words: tuple[str, ...]
    increase_words: tuple[str, ...]
    decrease_words: tuple[str, ...]


def _toml(name: str) -> dict:
    with (DATA_DIR / name).open("rb") as fh:
        return tomllib.load(fh)


@cache
def schema() -> dict[str, tuple[SchemaCell, ...]]:
    """version -> the canonical cells in form order."""
    raw = json.loads((DATA_DIR / "schema.json").read_text(encoding="utf-8"))
    return {
        v: tuple(SchemaCell(**{k: c[k] for k in ("key", "table", "row", "col", "label", "unit")}) for c in cells)
        for v, cells in raw["versions"].items()
    }


@cache
def schema_keys(version: str) -> dict[str, SchemaCell]:
    return {c.key: c for c in schema()[version]}


def columns(version: str, table: str, row: str) -> tuple[str, ...]:
    """The printed columns of a row, in form order."""
    return tuple(c.col for c in schema()[version] if c.table == table and c.row == row)


def request_rows(version: str) -> tuple[str, ...]:
    out: list[str] = []
    for c in schema()[version]:
        if c.table == "requests" and c.row not in out:
            out.append(c.row)
    return tuple(out)


def printed_request_rows(version: str, present: Iterable[str]) -> tuple[str, ...]:
    """The section-三 rows in form order as this report prints them: a 2021 report that prints the
    2019-style single （六）其他处理 row has it in place of the three 2021 sub-rows."""
    rows = list(request_rows(version))
    present = set(present)
    if version == "2021" and "other" in present and not any(r.startswith("other_") for r in present):
        rows = [r for r in rows if not r.startswith("other_")]
        rows.insert(rows.index("handled_total"), "other")
    return tuple(rows)


@cache
def form() -> dict:
    return _toml("form.toml")


@cache
def row_specs(table: str) -> tuple[RowSpec, ...]:
    """The rows of ``table`` in form order (both versions' rows together)."""
    specs = []
    for row, spec in form()[table]["rows"].items():
        labels = sorted({label_key(s) for s in spec["labels"]}, key=len, reverse=True)
        specs.append(RowSpec(table, row, tuple(labels), spec.get("group"), bool(spec.get("exact", False))))
    return tuple(specs)


@cache
def request_groups() -> dict[str, tuple[str, ...]]:
    return {g: tuple(label_key(s) for s in words) for g, words in form()["requests"]["groups"].items()}


@cache
def version_markers() -> dict[str, tuple[str, ...]]:
    return {v: tuple(label_key(s) for s in words) for v, words in form()["version_markers"].items()}


@cache
def sections() -> tuple[SectionSpec, ...]:
    raw = _toml("sections.toml")["section"]  # a list of tables; [page_footer] is read separately
    return tuple(SectionSpec(s["number"], s["label"], tuple(label_key(k) for k in s["keywords"])) for s in raw)


@cache
def page_footer_markers() -> tuple[str, ...]:
    return tuple(_toml("sections.toml")["page_footer"]["markers"])


@cache
def publish_date_labels() -> tuple[str, ...]:
    return tuple(_toml("sections.toml")["publish_date"]["labels"])


@cache
def value_words() -> ValueWords:
    raw = _toml("values.toml")
    return ValueWords(
        dashes=frozenset(raw["dashes"]),
        units={k: float(v) for k, v in raw["units"].items()},
        count_words=tuple(raw["count_words"]),
        increase_words=tuple(raw["increase_words"]),
        decrease_words=tuple(raw["decrease_words"]),
    )


def validate() -> list[str]:
    """Problems in the rule data (empty when consistent). Tests assert this is empty."""
    problems: list[str] = []
    known_rows = {(c.table, c.row) for v in VERSIONS for c in schema()[v]}
    for table in ("active", "requests"):
        seen: dict[str, str] = {}
        for spec in row_specs(table):
            if (table, spec.row) not in known_rows:
                problems.append(f"form.toml: {table}.rows.{spec.row} is not a row of schema.json")
            if not spec.labels or any(not s for s in spec.labels):
                problems.append(f"form.toml: {table}.rows.{spec.row} has an empty label")
            if spec.group and spec.group not in request_groups():
                problems.append(f"form.toml: {table}.rows.{spec.row} names unknown group {spec.group}")
            for s in spec.labels:
                if s in seen and seen[s] != spec.row:
                    problems.append(f"form.toml: label {s} is given to both {seen[s]} and {spec.row}")
                seen[s] = spec.row
        for v in VERSIONS:
            for t, r in known_rows:
                if t == table and columns(v, t, r) and r not in {s.row for s in row_specs(table)}:
                    problems.append(f"form.toml: schema row {t}.{r} ({v}) has no labels")
    numbers = [s.number for s in sections()]
    if numbers != [1, 2, 3, 4, 5, 6]:
        problems.append(f"sections.toml: sections are {numbers}, expected 1..6 in order")
    for v in VERSIONS:
        keys = [c.key for c in schema()[v]]
        if len(keys) != len(set(keys)):
            problems.append(f"schema.json: duplicate keys in version {v}")
        for c in schema()[v]:
            if c.key != f"{c.table}.{c.row}.{c.col}":
                problems.append(f"schema.json: key {c.key} does not join its parts")
    review = form()["review"]
    for g in review["groups"]:
        for o in review["outcomes"]:
            for v in VERSIONS:
                if f"review.{g}.{o}" not in schema_keys(v):
                    problems.append(f"form.toml: review.{g}.{o} is not in schema.json ({v})")
    if not value_words().dashes or "万元" not in value_words().units:
        problems.append("values.toml: dashes and the 万元 unit are required")
    return problems
