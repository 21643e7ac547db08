"""Legacy reports (2008–2018): their statistics table and figures stated in prose.

Sections and the table's span come from :mod:`rules.legacy_sections`. Statistics tables
(政府信息公开情况统计表) are read through the same token stream as the modern tables: the header says
which value column is the year's (本年度, 2016年度, 统计数, 本期实际) and which is cumulative (历年累计,
本年累计: never taken); row labels map onto the ``legacy.*`` keys. A row whose year and cumulative
digits ran together (``20263542``) is cut only where the equations decide it: the cumulative is
never below the year, the table's sums, and the figures the report's prose states; otherwise the
cell is left out with a warning.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial

from rules import recover
from rules.checks import Check
from rules.constants import AMOUNT_UNIT, YUAN_PER_AMOUNT_UNIT
from rules.constants import YUAN as YUAN_FACTOR
from rules.data import schema_keys
from rules.form import Equation
from rules.legacy_data import LEGACY, Column, LegacyRow, equations, legacy_rows
from rules.legacy_data import table_words as _words
from rules.legacy_sections import HEADER_WORDS, LegacySectionOut, find_legacy_sections, legacy_publish_date
from rules.normalize import label_key, nfkc, squash
from rules.prose_facts import Fact
from rules.stream import GRID, Kind, Token
from rules.t1 import t1_checks
from rules.tables import Cell, cell_of
from rules.values import State, parse_value

logger = logging.getLogger(__name__)

CONFIDENCE_TABLE = 0.95
CONFIDENCE_CUT = 0.8
YUAN = "元"


@dataclass(frozen=True, slots=True)
class Reading:
    """A table row with a cumulative column: its readings (year, cumulative) after the report's own
    equations, and whether they leave one. The batch's cumulative chain may decide the others."""

    key: str
    printed: str
    options: tuple[tuple[float | None, float | None], ...]
    determined: bool
    method: str
    locator: str | None

    @property
    def options_text(self) -> str:
        return ";".join(f"{_g(y)}|{_g(c)}" for y, c in self.options)


def _g(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


@dataclass
class LegacyResult:
    sections: list[LegacySectionOut] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    readings: list[Reading] = field(default_factory=list)
    table_keys: set[str] = field(default_factory=set)  # keys whose rows the table prints (read or not)
    table_span: tuple[int, int] | None = None


# --- the statistics table -------------------------------------------------------------------------


def _header(tokens: Sequence[Token]) -> tuple[list[Column], int, str] | None:
    """The value columns in order, the index of the first token after the header, and the text of
    the token the header ends in that is left over (a flattened first row label)."""
    words = _words()
    flat: list[tuple[int, int]] = []  # per squashed char: token index, char index in the squashed token
    parts = []
    for i, t in enumerate(tokens):
        s = squash(nfkc(t.text)) if t.kind is not Kind.ROW_END else ""
        flat.extend((i, j) for j in range(len(s)))
        parts.append(s)
    text = "".join(parts)
    for head in (*HEADER_WORDS, *words.header):
        for m in re.finditer(re.escape(head), text):
            pos = m.end()
            roles: list[Column] = []
            while pos < len(text):
                y = words.year_pattern.match(text, pos)
                hit = (
                    (Column.YEAR, y.group())
                    if y
                    else next(((role, w) for role, w in words.columns if text.startswith(w, pos)), None)
                )
                if hit is None:
                    break
                roles.append(hit[0])
                pos += len(hit[1])
            values: list[Column] = [r for r in roles if r is not Column.UNIT]
            # 统计数 printed over 本年度 | 历年累计 (a two-row header): the first is a group heading
            while len(values) > 1 and values[0] is Column.YEAR and values[1] is Column.YEAR:
                values.pop(0)
            if Column.YEAR not in values:
                continue
            if pos >= len(text):
                return values, len(tokens), ""
            ti, ci = flat[pos]
            return (values, ti + 1, parts[ti][ci:]) if ci else (values, ti, "")
    return None


@dataclass(frozen=True, slots=True)
class _Row:
    label: str
    values: tuple[Token, ...]


def _depth(depth: int, text: str) -> int:
    """Brackets left open after ``text``."""
    return max(0, depth + sum(text.count(b) for b in "（(") - sum(text.count(b) for b in "）)"))


def _rows(tokens: Sequence[Token], first_label: str) -> list[_Row]:
    rows: list[_Row] = []
    label: list[str] = [first_label] if first_label else []
    values: list[Token] = []
    depth = _depth(0, first_label)

    def close() -> None:
        nonlocal label, values
        if any(v.text for v in values):
            rows.append(_Row("".join(label), tuple(values)))
        label, values = [], []

    for i, tok in enumerate(tokens):
        if tok.kind is Kind.LABEL:
            if values:
                close()
            label.append(tok.text)
            depth = _depth(depth, tok.text)
        elif tok.kind is Kind.VALUE:
            after = tokens[i + 1] if i + 1 < len(tokens) else None
            closes = after is not None and after.kind is Kind.LABEL and after.text.lstrip().startswith(("）", ")"))
            if depth > 0 and closes:  # a number inside brackets is part of the label (…计1条）)
                label.append(tok.text)
                continue
            depth = 0
            values.append(tok)
        else:
            close()
            depth = 0
    close()
    return rows


def _strip_unit(label: str) -> tuple[str, str | None]:
    for u in _words().label_units:
        if label.endswith(u):
            return label[: -len(u)], u
    return label, None


def match_legacy_row(label: str, parent: str | None) -> tuple[LegacyRow, str] | None:
    """The keyed row ``label`` names (and the synonym), given the total printed above it."""
    key, _ = _strip_unit(label_key(label))
    best: tuple[int, int, LegacyRow, str] | None = None
    for row in legacy_rows():
        if row.under and row.under != parent:
            continue
        for syn in row.labels:
            end = key.rfind(syn) + len(syn)
            if end >= len(syn) and (best is None or (end, len(syn)) > best[:2]):
                best = (end, len(syn), row, syn)
    return (best[2], best[3]) if best else None


def _is_unkeyed(label: str) -> bool:
    key = label_key(label)
    return any(w in key for w in _words().unkeyed)


@dataclass
class _Candidate:
    row: LegacyRow
    synonym: str
    label: str
    tokens: tuple[Token, ...]
    readings: list[list[recover.Piece]]
    values: list[list[float | None]]
    factor: float


def _parse(text: str, amount: bool, factor: float) -> float | None:
    return parse_value(text, amount=amount, default_unit_factor=factor).value


def _within_cumulative(values: Sequence[float | None], year_col: int, cum_col: int | None) -> bool:
    """A reading whose year figure exceeds its 历年累计 cannot be right (unknown when either is missing)."""
    if cum_col is None:
        return True
    year, cum = values[year_col], values[cum_col]
    return year is None or cum is None or year <= cum


def read_table(tokens: Sequence[Token], hints: Callable[[], Mapping[str, set[float]]], result: LegacyResult) -> None:
    """Cells of a legacy statistics table from its token stream (caption and header included)."""
    head = _header(tokens)
    if head is None:
        result.warnings.append(
            "legacy statistics table: no header with a year column (本年度, 统计数 …) found; left out"
        )
        return
    roles, first, rest = head
    grid = [i for i, t in enumerate(tokens) if t.block == GRID and t.kind is not Kind.ROW_END]
    if grid and grid[-1] >= first:  # a grid table ends where its cells end (a signature may follow)
        tokens = tokens[: grid[-1] + 2]
    year_col = roles.index(Column.YEAR)
    cum_col = roles.index(Column.CUMULATIVE) if Column.CUMULATIVE in roles else None
    n = len(roles)
    rows = _rows(tokens[first:], rest)
    amounts = {k for k, c in schema_keys(LEGACY).items() if c.unit == "万元"}
    cands: dict[str, _Candidate] = {}
    parent: str | None = None
    for r in rows:
        m = match_legacy_row(r.label, parent)
        if m is None:
            if not _is_unkeyed(r.label) and label_key(r.label):
                result.unmapped.append(r.label)
            continue
        row, syn = m
        if row.key in ("legacy.review.total", "legacy.litigation.total"):
            parent = row.key
        elif row.under is None:
            parent = None
        prev = cands.get(row.key)
        if prev is not None and not _ranks_before(row, syn, prev.synonym):
            continue
        vals = list(r.values)
        while len(vals) > n and not vals[-1].text:
            vals.pop()
        _, unit = _strip_unit(label_key(r.label))
        factor = YUAN_FACTOR if unit == YUAN else YUAN_PER_AMOUNT_UNIT
        amount = row.key in amounts
        if len(vals) > n:
            result.warnings.append(f"{row.key}: {len(vals)} values printed where the table has {n} columns; left out")
            continue
        cuttable = [len(vals) == 1 or recover.may_hide_cells(v.text, v.separated) for v in vals]
        readings = (
            recover.row_readings([v.text for v in vals], n, cuttable)
            if len(vals) < n
            else [[recover.Piece(i, v.text, True) for i, v in enumerate(vals)]]
        )
        values = [[_parse(p.text, amount, factor) for p in rd] for rd in readings]
        keep = [i for i, v in enumerate(values) if _within_cumulative(v, year_col, cum_col)]
        cands[row.key] = _Candidate(
            row, syn, r.label, tuple(vals), [readings[i] for i in keep], [values[i] for i in keep], factor
        )
    result.table_keys.update(cands)
    _resolve(cands, year_col, cum_col, hints, result)


def _ranks_before(row: LegacyRow, syn: str, other: str) -> bool:
    rank = {s: i for i, s in enumerate(row.rank)}
    return rank.get(syn, len(rank)) < rank.get(other, len(rank))


def _column_value(a: recover.Assignment, col: int, key: str) -> float | None:
    return a[key][col]


def _constraints(cands: dict[str, _Candidate], cols: Sequence[int]) -> list[recover.Constraint]:
    out: list[recover.Constraint] = []
    for eq in equations():
        parts = tuple(p for p in eq.rhs if p in cands)  # the parts the table prints
        if not set(eq.lhs) <= cands.keys() or len(parts) < 2:
            continue
        printed = replace(eq, rhs=parts)

        def pred(a: recover.Assignment, eq: Equation = printed) -> bool | None:
            # every column where the equation can be evaluated (year, cumulative) must hold
            return all(eq.sides(partial(_column_value, a, c)).holds is not False for c in cols)

        out.append((frozenset(printed.keys), pred))
    return out


def _resolve(
    cands: dict[str, _Candidate],
    year_col: int,
    cum_col: int | None,
    hints: Callable[[], Mapping[str, set[float]]],
    result: LegacyResult,
) -> None:
    options = {k: c.values for k, c in cands.items()}
    # the report's own sentences: keep the readings whose year figure the prose states, if any
    # (read only when a row can be read several ways)
    prose = hints() if any(len(v) > 1 for v in options.values()) else {}
    for k, vals in options.items():
        said = prose.get(k)
        if len(vals) > 1 and said:
            agree = [v for v in vals if v[year_col] in said]
            if agree:
                options[k] = agree
    cols = [year_col] + ([cum_col] if cum_col is not None else [])
    ambiguous = {k: v for k, v in options.items() if len(v) > 1}
    solutions = None
    if ambiguous:
        solutions = recover.solve(options, _constraints(cands, cols))
        if not solutions:
            solutions = recover.solve(options, [])
    for key, cand in cands.items():
        vals = options[key]
        if cum_col is not None and vals and schema_keys(LEGACY)[key].unit != "万元":
            pairs = (s[key] for s in solutions) if solutions and len(vals) > 1 else vals
            opts = tuple(dict.fromkeys((v[year_col], v[cum_col]) for v in pairs))
            tok = cand.tokens[0]
            result.readings.append(
                Reading(
                    key,
                    " ".join(t.text for t in cand.tokens),
                    opts,
                    len({o[0] for o in opts}) == 1,
                    tok.method,
                    tok.prov.locator,
                )
            )
        if not vals:
            result.warnings.append(f"{key}: no reading of {' '.join(t.text for t in cand.tokens)!r} fits; left out")
            continue
        if len(vals) == 1 and len(cand.values) == 1:
            chosen, why = vals[0], None
        else:
            per = [s[key] for s in solutions] if solutions else vals
            years = {tuple(v)[year_col] for v in per}
            if len(years) != 1:
                result.warnings.append(
                    f"{key}: printed {' '.join(t.text for t in cand.tokens)!r} can be read several ways "
                    f"(year {', '.join(sorted(f'{y:g}' for y in years if y is not None))}); left out"
                )
                continue
            chosen = list(per[0])
            why = "the only reading the table's sums, its cumulative column and the report's text allow"
        _emit(cand, chosen, year_col, why, result)


def _emit(
    cand: _Candidate, chosen: Sequence[float | None], year_col: int, why: str | None, result: LegacyResult
) -> None:
    idx = next(i for i, v in enumerate(cand.values) if list(v) == list(chosen))
    piece = cand.readings[idx][year_col]
    tok = cand.tokens[piece.token]
    key = cand.row.key
    cell = schema_keys(LEGACY)[key]
    cv = parse_value(piece.text, amount=cell.unit == AMOUNT_UNIT, default_unit_factor=cand.factor)
    notes = [cand.row.notes.get(cand.synonym), cv.note]
    conf = CONFIDENCE_TABLE
    if why and not piece.whole:
        notes.append(f"cut from printed {tok.text!r} ({why})")
        conf = CONFIDENCE_CUT
    note = "; ".join(n for n in notes if n) or None
    result.cells.append(cell_of(cell, cv.value, cv.state, piece.text, tok, conf, note))


# --- prose cells and T1 ---------------------------------------------------------------------------


def prose_cells(facts: Sequence[Fact], taken: set[str], result: LegacyResult) -> None:
    """Cells for keys the table does not give, where the report's sentences agree on one figure."""
    by_key: dict[str, list[Fact]] = {}
    for f in facts:
        if f.key not in taken:
            by_key.setdefault(f.key, []).append(f)
    for key, fs in by_key.items():
        values = {f.value for f in fs}
        if len(values) != 1:
            result.warnings.append(
                f"{key}: the report's sentences state {', '.join(sorted(f'{v:g}' for v in values))}; no cell"
            )
            continue
        f = fs[0]
        cell = schema_keys(LEGACY)[key]
        tok = Token(Kind.VALUE, f.raw, _prose_prov(f), "prose")
        result.cells.append(cell_of(cell, f.value, State.NUMBER, f.raw, tok, f.confidence, f.sentence))


def _prose_prov(f: Fact):
    from extractor.model import Provenance

    where = f"section {f.section}" if f.section is not None else "text"
    return Provenance(locator=f"{where} chars {f.start}-{f.end}")


def analyse_legacy(
    text: str,
    head_lines: Sequence[str],
    stream: Callable[[int, int], list[Token]],
    find_facts: Callable[[Sequence[tuple[int | None, str]]], list[Fact]],
    find_hints: Callable[[Sequence[tuple[int | None, str]]], dict[str, set[float]]],
) -> tuple[LegacyResult, list[Fact], date | None]:
    """Sections, cells (table first, then prose), T1 checks and the closing date of a legacy report."""
    result = LegacyResult()
    secs, table = find_legacy_sections(text)
    result.sections = secs
    result.table_span = table
    # a page excerpt without any heading: its whole text (before the table) is read for figures
    texts: list[tuple[int | None, str]] = [(s.number, s.text) for s in secs] or [
        (None, text[: table[0]] if table else text)
    ]
    facts = find_facts(texts)
    if table:

        def hints() -> dict[str, set[float]]:
            said = find_hints(texts)
            for f in facts:
                said.setdefault(f.key, set()).add(f.value)
            return said

        read_table(stream(*table), hints, result)
    # a row the table prints is the table's, even when its digits could not be read
    prose_cells(facts, {c.key for c in result.cells} | result.table_keys, result)
    result.checks = t1_checks(facts, result.cells, LEGACY)
    closing = legacy_publish_date(text, ()) or legacy_publish_date(text[: table[0]] if table else text, head_lines)
    return result, facts, closing
