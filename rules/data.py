"""Load and validate the rule data in ``rules/data/`` (the form, headings, value words, schema).

Everything the rules know about the national form lives in these files, not in code. They are
read once per process (``functools.cache``) into frozen dataclasses and checked on load — against
``schema.json`` and against each other — so a typo in a data file fails loudly
(:class:`RuleDataError`) instead of silently mapping nothing.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from rules.constants import AMOUNT_UNIT, VERSIONS, YUAN_PER_AMOUNT_UNIT
from rules.normalize import label_key

__all__ = ["DATA_DIR", "VERSIONS", "RuleDataError"]

T = TypeVar("T")

DATA_DIR = Path(__file__).resolve().parent / "data"
SECTION_NUMBERS = (1, 2, 3, 4, 5, 6)


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
class RequestsForm:
    """Section 三: applicant columns, the flow of R1, the handled row of R2, the outcome groups."""

    section: int
    applicants: tuple[str, ...]  # the applicant columns, form order (R3 sums them)
    flow_in: tuple[str, ...]  # R1: rows whose sum ...
    flow_out: tuple[str, ...]  # ... equals these rows' sum
    handled: str  # R2: the row that sums every outcome row
    groups: Mapping[str, tuple[str, ...]]  # group -> normalised heading words
    rows: tuple[RowSpec, ...]

    @property
    def flow(self) -> tuple[str, ...]:
        return (*self.flow_in, *self.flow_out)


@dataclass(frozen=True, slots=True)
class ReviewForm:
    """Section 四: one value row, ``groups`` × ``outcomes`` in form order."""

    section: int
    groups: tuple[str, ...]
    outcomes: tuple[str, ...]
    # the header's words, where form.toml gives them (finding the table by its header alone)
    header_words: tuple[str, ...] = ()
    outcome_words: tuple[str, ...] = ()
    header_extra_words: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        """``group.outcome`` in the order the values are printed."""
        return tuple(f"{g}.{o}" for g in self.groups for o in self.outcomes)


@dataclass(frozen=True, slots=True)
class Form:
    """rules/data/form.toml: the standard tables as the rules read them."""

    total: str  # the column (三) and outcome (四) that sums the others
    active_section: int
    active_rows: tuple[RowSpec, ...]
    requests: RequestsForm
    review: ReviewForm
    version_markers: Mapping[str, tuple[str, ...]]  # version -> normalised marker words
    signed_columns: tuple[str, ...] = ()  # columns that may print a negative number (本年增/减)

    @property
    def request_columns(self) -> tuple[str, ...]:
        return (*self.requests.applicants, self.total)

    @property
    def table_sections(self) -> dict[str, int]:
        """table -> the number of the section that prints it, in form order."""
        return {"active": self.active_section, "requests": self.requests.section, "review": self.review.section}

    def rows(self, table: str) -> tuple[RowSpec, ...]:
        return {"active": self.active_rows, "requests": self.requests.rows}[table]


@dataclass(frozen=True, slots=True)
class SectionSpec:
    number: int
    label: str
    keywords: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ValueWords:
    dashes: frozenset[str]
    units: Mapping[str, float]  # unit word -> factor in 元
    count_words: tuple[str, ...]
    increase_words: tuple[str, ...]
    decrease_words: tuple[str, ...]
    yuan_header_words: tuple[str, ...]  # a table header with one of these prints its amounts in 元

    def unit_pattern(self, *, counts: bool = False) -> str:
        """A regex alternation of the unit words (and the count words), longest first."""
        words = [*self.units, *(self.count_words if counts else ())]
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _toml(name: str) -> dict[str, Any]:
    with (DATA_DIR / name).open("rb") as fh:
        return tomllib.load(fh)


def _checked(name: str, value: T, problems: list[str]) -> T:
    if problems:
        raise RuleDataError(f"rules/data/{name}: " + "; ".join(problems))
    return value


# -- schema.json ---------------------------------------------------------------------------------
def _load_schema() -> dict[str, tuple[SchemaCell, ...]]:
    raw = json.loads((DATA_DIR / "schema.json").read_text(encoding="utf-8"))
    return {
        v: tuple(SchemaCell(**{k: c[k] for k in ("key", "table", "row", "col", "label", "unit")}) for c in cells)
        for v, cells in raw["versions"].items()
    }


def _schema_problems(cells: Mapping[str, tuple[SchemaCell, ...]]) -> list[str]:
    problems = [f"schema.json: no version {v}" for v in VERSIONS if v not in cells]
    for v, version_cells in cells.items():
        keys = [c.key for c in version_cells]
        if len(keys) != len(set(keys)):
            problems.append(f"schema.json: duplicate keys in version {v}")
        for c in version_cells:
            if c.key != f"{c.table}.{c.row}.{c.col}":
                problems.append(f"schema.json: key {c.key} does not join its parts")
    return problems


@cache
def schema() -> dict[str, tuple[SchemaCell, ...]]:
    """version -> the canonical cells in form order."""
    cells = _load_schema()
    return _checked("schema.json", cells, _schema_problems(cells))


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
    """The section-三 rows in form order as this report prints them: a report that prints a group's
    single row where its form has the group's sub-rows (a 2021 report with the 2019-style single
    （六）其他处理 row) has it in place of them."""
    rows = list(request_rows(version))
    present = set(present)
    for group in form().requests.groups:
        subrows = [r for r in rows if r.startswith(f"{group}_")]
        if group in present and group not in rows and subrows and not present & set(subrows):
            at = rows.index(subrows[0])
            rows = [r for r in rows if r not in subrows]
            rows.insert(at, group)
    return tuple(rows)


# -- form.toml -----------------------------------------------------------------------------------
def _row_specs(table: str, raw: Mapping[str, Any]) -> tuple[RowSpec, ...]:
    specs = []
    for row, spec in raw["rows"].items():
        labels = sorted({label_key(s) for s in spec["labels"]}, key=len, reverse=True)
        specs.append(RowSpec(table, row, tuple(labels), spec.get("group"), bool(spec.get("exact", False))))
    return tuple(specs)


def _normalised(words: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    return {k: tuple(label_key(s) for s in v) for k, v in words.items()}


def _load_form() -> Form:
    raw = _toml("form.toml")
    req, rev = raw["requests"], raw["review"]
    return Form(
        total=raw["total"],
        active_section=raw["active"]["section"],
        active_rows=_row_specs("active", raw["active"]),
        requests=RequestsForm(
            section=req["section"],
            applicants=tuple(req["applicants"]),
            flow_in=tuple(req["flow_in"]),
            flow_out=tuple(req["flow_out"]),
            handled=req["handled"],
            groups=_normalised(req["groups"]),
            rows=_row_specs("requests", req),
        ),
        review=ReviewForm(
            section=rev["section"],
            groups=tuple(rev["groups"]),
            outcomes=tuple(rev["outcomes"]),
            header_words=tuple(rev.get("header_words", ())),
            outcome_words=tuple(rev.get("outcome_words", ())),
            header_extra_words=tuple(rev.get("header_extra_words", ())),
        ),
        version_markers=_normalised(raw["version_markers"]),
        signed_columns=tuple(raw.get("signed", {}).get("columns", ())),
    )


def _row_problems(f: Form, table: str, known_rows: set[tuple[str, str]]) -> list[str]:
    problems: list[str] = []
    seen: dict[str, str] = {}
    for spec in f.rows(table):
        if (table, spec.row) not in known_rows:
            problems.append(f"{table}.rows.{spec.row} is not a row of schema.json")
        if not spec.labels or any(not s for s in spec.labels):
            problems.append(f"{table}.rows.{spec.row} has an empty label")
        if spec.group and spec.group not in f.requests.groups:
            problems.append(f"{table}.rows.{spec.row} names unknown group {spec.group}")
        for s in spec.labels:
            if s in seen and seen[s] != spec.row:
                problems.append(f"label {s} is given to both {seen[s]} and {spec.row}")
            seen[s] = spec.row
    labelled = {s.row for s in f.rows(table)}
    for v in VERSIONS:
        for t, r in sorted(known_rows):
            if t == table and columns(v, t, r) and r not in labelled:
                problems.append(f"schema row {t}.{r} ({v}) has no labels")
    return problems


def _form_problems(f: Form) -> list[str]:
    known_rows = {(c.table, c.row) for v in VERSIONS for c in schema()[v]}
    problems = _row_problems(f, "active", known_rows) + _row_problems(f, "requests", known_rows)
    for row in (*f.requests.flow, f.requests.handled):
        if ("requests", row) not in known_rows:
            problems.append(f"requests: flow row {row} is not a row of schema.json")
    for v in VERSIONS:
        for row in request_rows(v):
            if columns(v, "requests", row) != f.request_columns:
                problems.append(f"requests: applicants + total are not the columns of {row} ({v})")
        for g in f.review.groups:
            for o in f.review.outcomes:
                if f"review.{g}.{o}" not in schema_keys(v):
                    problems.append(f"review.{g}.{o} is not in schema.json ({v})")
    if f.total not in f.review.outcomes:
        problems.append(f"review: the total {f.total} is not an outcome")
    problems += [f"version_markers: unknown version {v}" for v in f.version_markers if v not in VERSIONS]
    return problems


@cache
def form() -> Form:
    f = _load_form()
    return _checked("form.toml", f, _form_problems(f))


def row_specs(table: str) -> tuple[RowSpec, ...]:
    """The rows of ``table`` in form order (both versions' rows together)."""
    return form().rows(table)


def request_groups() -> Mapping[str, tuple[str, ...]]:
    return form().requests.groups


def version_markers() -> Mapping[str, tuple[str, ...]]:
    return form().version_markers


# -- sections.toml -------------------------------------------------------------------------------
@cache
def sections() -> tuple[SectionSpec, ...]:
    raw = _toml("sections.toml")["section"]  # a list of tables; [page_footer] is read separately
    out = tuple(SectionSpec(s["number"], s["label"], tuple(label_key(k) for k in s["keywords"])) for s in raw)
    numbers = tuple(s.number for s in out)
    problems = [] if numbers == SECTION_NUMBERS else [f"sections are {list(numbers)}, expected 1..6 in order"]
    return _checked("sections.toml", out, problems)


@cache
def page_footer_markers() -> tuple[str, ...]:
    return tuple(_toml("sections.toml")["page_footer"]["markers"])


# -- values.toml ---------------------------------------------------------------------------------
@cache
def publish_date_labels() -> tuple[str, ...]:
    return tuple(_toml("sections.toml")["publish_date"]["labels"])


@cache
def value_words() -> ValueWords:
    raw = _toml("values.toml")
    words = ValueWords(
        dashes=frozenset(raw["dashes"]),
        units={k: float(v) for k, v in raw["units"].items()},
        count_words=tuple(raw["count_words"]),
        increase_words=tuple(raw["increase_words"]),
        decrease_words=tuple(raw["decrease_words"]),
        yuan_header_words=tuple(raw["yuan_header_words"]),
    )
    problems = []
    if not words.dashes or words.units.get(AMOUNT_UNIT) != YUAN_PER_AMOUNT_UNIT:
        problems.append(f"dashes and the {AMOUNT_UNIT} unit (= {YUAN_PER_AMOUNT_UNIT:g} 元) are required")
    return _checked("values.toml", words, problems)


# -- metadata.toml -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class MetadataWords:
    agency_suffixes: tuple[str, ...]  # a line ending in one of these names an agency
    report_subjects: tuple[str, ...]  # what a title says the report is about
    title_prefixes: tuple[str, ...]  # words before a title (标题：)

    @staticmethod
    def pattern(words: Iterable[str]) -> str:
        """A regex alternation of ``words``, longest first."""
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@cache
def metadata_words() -> MetadataWords:
    raw = _toml("metadata.toml")
    words = MetadataWords(
        agency_suffixes=tuple(raw["agency_suffixes"]),
        report_subjects=tuple(raw["report_subjects"]),
        title_prefixes=tuple(raw["title_prefixes"]),
    )
    lists = (words.agency_suffixes, words.report_subjects, words.title_prefixes)
    problems = [] if all(all(ws) and ws for ws in lists) else ["a word list is empty or holds an empty word"]
    return _checked("metadata.toml", words, problems)


def section_label(number: int) -> str:
    """The printed heading of standard section ``number`` (一、总体情况 …)."""
    return next(s.label for s in sections() if s.number == number)


def section_numeral(number: int) -> str:
    """The numeral of standard section ``number`` as printed (一 … 六)."""
    return section_label(number).split("、")[0]


def validate() -> list[str]:
    """Problems in the rule data (empty when consistent); every loader also refuses them on load."""
    cells = _load_schema()
    problems = _schema_problems(cells)
    if not problems:
        problems += [f"form.toml: {p}" for p in _form_problems(_load_form())]
    for loader in (sections, value_words, metadata_words):
        try:
            loader()
        except RuleDataError as exc:
            problems.append(str(exc))
    return problems
