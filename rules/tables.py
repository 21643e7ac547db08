"""Map the rows of sections 二, 三 and 四 onto the canonical cells of the form.

Values are mapped by their order in the row (the form's column order), which is robust to the
header/value colspan mismatches real pages have. A row with fewer printed tokens than columns is
handed to :mod:`rules.recover`; a row that cannot be read unambiguously is left out with a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from rules import recover
from rules.data import columns, form, request_rows, schema_keys
from rules.labels import match_group, match_row
from rules.normalize import label_key
from rules.stream import Row, Token
from rules.values import CellValue, State, parse_value

logger = logging.getLogger(__name__)

CONFIDENCE_GRID = 0.98
CONFIDENCE_TEXT = 0.95
CONFIDENCE_FUZZY_LABEL = 0.85
CONFIDENCE_RECOVERED = 0.8
APPLICANTS = 6  # the applicant columns before 总计 in section 三
_GROUP_OF_ROW = {"withheld": "withheld", "unavailable": "unavailable", "not": "not_processed", "other": "other"}


@dataclass(frozen=True, slots=True)
class Cell:
    key: str
    table: str
    row: str
    col: str
    value: float | None
    state: str
    raw: str
    unit: str
    token: Token
    confidence: float
    note: str | None = None


@dataclass
class TableResult:
    cells: list[Cell] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Observed:
    row: str
    label: str
    values: tuple[Token, ...]
    fuzzy: bool


def _trim(values: Sequence[Token], n: int) -> list[Token]:
    vals = list(values)
    while len(vals) > n and not vals[-1].text:
        vals.pop()
    while len(vals) > n and not vals[0].text:
        vals.pop(0)
    return vals


def _is_amount(version: str, key: str) -> bool:
    cell = schema_keys(version).get(key)
    return cell is not None and cell.unit == "万元"


def _unit(version: str, key: str) -> str:
    cell = schema_keys(version).get(key) or schema_keys("2019").get(key)
    return cell.unit if cell else "件"


class _Mapper:
    def __init__(self, version: str, amount_factor: float) -> None:
        self.version = version
        self.amount_factor = amount_factor
        self.result = TableResult()
        self.keys_done: set[str] = set()

    def parse(self, key: str, text: str) -> CellValue:
        return parse_value(text, amount=_is_amount(self.version, key), default_unit_factor=self.amount_factor)

    def emit(self, table: str, row: str, col: str, token: Token, text: str, confidence: float,
             note: str | None = None) -> None:
        key = f"{table}.{row}.{col}"
        if key in self.keys_done:
            return
        cv = self.parse(key, text)
        notes = "; ".join(n for n in (note, cv.note) if n) or None
        if cv.state is State.TEXT:
            confidence = min(confidence, 0.5)
        self.keys_done.add(key)
        self.result.cells.append(Cell(key, table, row, col, cv.value, cv.state.value, text, _unit(self.version, key),
                                      token, confidence, notes))

    def emit_direct(self, table: str, row: str, cols: Sequence[str], obs: _Observed, values: Sequence[Token]) -> None:
        for col, tok in zip(cols, values, strict=True):
            conf = CONFIDENCE_GRID if tok.method != "text" else CONFIDENCE_TEXT
            if obs.fuzzy:
                conf = min(conf, CONFIDENCE_FUZZY_LABEL)
            note = f"row label {obs.label!r} matched fuzzily" if obs.fuzzy else None
            self.emit(table, row, col, tok, tok.text, conf, note)

    def readings(self, table: str, cols: Sequence[str], obs: _Observed) -> list[list[recover.Piece]]:
        vals = _trim(obs.values, len(cols))
        if len(vals) > len(cols):
            self.result.warnings.append(
                f"{table}.{obs.row}: {len(vals)} values printed where the form has {len(cols)} columns "
                f"({' | '.join(v.text for v in vals)}); row left out")
            return []
        readings = recover.row_readings([v.text for v in vals], len(cols))
        if not readings:
            self.result.warnings.append(
                f"{table}.{obs.row}: only {len(vals)} value(s) printed for {len(cols)} columns "
                f"({' | '.join(v.text or '(blank)' for v in vals)}); the cells cannot be placed and are left out")
        return readings

    def values_of(self, table: str, row: str, reading: Sequence[recover.Piece]) -> list[float | None]:
        cols = self.cols(table, row)
        return [self.parse(f"{table}.{row}.{c}", p.text).value for c, p in zip(cols, reading, strict=True)]

    def cols(self, table: str, row: str) -> tuple[str, ...]:
        if table == "review":
            return tuple(f"{g}.{o}" for g in form()["review"]["groups"] for o in form()["review"]["outcomes"])
        cols = columns(self.version, table, row)
        if not cols and table == "requests":
            cols = columns("2019" if self.version == "2021" else "2021", table, row)
        return cols

    def emit_reading(self, table: str, row: str, obs: _Observed, reading: Sequence[recover.Piece],
                     determined: Sequence[bool], why: str) -> None:
        cols = self.cols(table, row)
        vals = _trim(obs.values, len(cols))
        printed = " ".join(v.text for v in vals)
        left_out = []
        for col, piece, ok in zip(cols, reading, determined, strict=True):
            tok = vals[piece.token]
            if not ok:
                left_out.append(col)
                continue
            if piece.whole:
                self.emit(table, row, col, tok, piece.text, CONFIDENCE_GRID if tok.method != "text" else CONFIDENCE_TEXT)
            else:
                self.emit(table, row, col, tok, piece.text, CONFIDENCE_RECOVERED,
                          f"cut from printed {tok.text!r} ({why})")
        if left_out:
            self.result.warnings.append(
                f"{table}.{row}: printed {printed!r} can be read several ways; left out: {', '.join(left_out)}")


def _group_of(row: str) -> str | None:
    return _GROUP_OF_ROW.get(row.split("_")[0]) if "_" in row else None


def _names_other_table(table: str, label: str) -> bool:
    other = "requests" if table == "active" else "active"
    return match_row(other, label, "other") is not None or match_group(label) is not None


def _observe(rows: Sequence[Row], table: str, result: TableResult) -> dict[str, _Observed]:
    """First occurrence of each form row among the stream's rows (a complete one preferred)."""
    seen: dict[str, _Observed] = {}
    group: str | None = None
    for r in rows:
        for ctx in r.context:
            g = match_group(ctx)
            if g:
                group = g
        if r.label is None:
            continue
        m = match_row(table, r.label, group)
        if m is None:
            g = match_group(r.label)
            if g:
                group = g
            elif any(v.text for v in r.values) and label_key(r.label) and not _names_other_table(table, r.label):
                result.unmapped.append(r.label)
            continue
        spec, fuzzy = m
        group = _group_of(spec.row) or (group if spec.row in ("granted", "partially_granted") else None)
        if spec.row == "other":
            group = "other"
        if spec.row not in seen:
            seen[spec.row] = _Observed(spec.row, r.label, r.values, fuzzy)
    return seen


def map_active(rows: Sequence[Row], version: str, amount_factor: float) -> TableResult:
    """Section 二: each row by itself (no arithmetic ties its cells)."""
    mapper = _Mapper(version, amount_factor)
    for row, obs in _observe(rows, "active", mapper.result).items():
        cols = columns(version, "active", row)
        if not cols:
            mapper.result.warnings.append(f"active.{row}: the {version} form has no such row; left out")
            continue
        vals = _trim(obs.values, len(cols))
        if len(vals) == len(cols):
            mapper.emit_direct("active", row, cols, obs, vals)
            continue
        readings = mapper.readings("active", cols, obs)
        if readings:
            values = [mapper.values_of("active", row, rd) for rd in readings]
            agree = recover.agreed(values)
            determined = [a is not recover.UNDETERMINED for a in agree]
            mapper.emit_reading("active", row, obs, readings[0], determined, "the only way to cut it")
    return mapper.result


def _request_constraints(version: str, present: set[str]) -> list[recover.Constraint]:
    rows = list(request_rows(version))
    if version == "2021" and "other" in present and not any(r.startswith("other_") for r in present):
        rows = [r for r in rows if not r.startswith("other_")]
        rows.insert(rows.index("handled_total"), "other")
    flow = ("new_received", "carried_over_in", "handled_total", "carried_over_out")
    leaves = [r for r in rows if r not in flow]
    out: list[recover.Constraint] = []

    def col_rule(col: int, lhs: Sequence[str], rhs: Sequence[str]) -> recover.Constraint:
        names = frozenset(lhs) | frozenset(rhs)

        def pred(a: recover.Assignment) -> bool | None:
            left = [a[r][col] for r in lhs]
            right = [a[r][col] for r in rhs]
            if any(v is None for v in (*left, *right)):
                return None
            return abs(sum(left) - sum(right)) < 1e-6  # type: ignore[arg-type]
        return names, pred

    for col in range(APPLICANTS + 1):
        if set(flow) <= present:
            out.append(col_rule(col, flow[:2], flow[2:]))
        if "handled_total" in present and set(leaves) <= present:
            out.append(col_rule(col, ["handled_total"], leaves))
    return out


def _row_total_ok(vals: Sequence[float | None]) -> bool | None:
    if any(v is None for v in vals):
        return None
    return abs(sum(vals[:APPLICANTS]) - vals[APPLICANTS]) < 1e-6  # type: ignore[arg-type]


def map_requests(rows: Sequence[Row], version: str) -> TableResult:
    """Section 三: direct rows as printed; rows with lost boundaries recovered by R1–R3 together."""
    mapper = _Mapper(version, 10000.0)
    observed = _observe(rows, "requests", mapper.result)
    if version == "2019":
        for r in [r for r in observed if r.startswith("other_")]:
            mapper.result.warnings.append(f"requests.{r}: a 2021 row in a 2019 report; left out")
            del observed[r]
    cols = mapper.cols("requests", "granted")
    candidates: dict[str, list[list[float | None]]] = {}
    readings: dict[str, list[list[recover.Piece]]] = {}
    for row, obs in observed.items():
        vals = _trim(obs.values, len(cols))
        if len(vals) == len(cols):
            mapper.emit_direct("requests", row, cols, obs, vals)
            candidates[row] = [[mapper.parse(f"requests.{row}.{c}", v.text).value for c, v in zip(cols, vals)]]
            continue
        rds = mapper.readings("requests", cols, obs)
        if not rds:
            continue
        values = [mapper.values_of("requests", row, rd) for rd in rds]
        keep = [i for i, v in enumerate(values) if _row_total_ok(v) is not False] or list(range(len(values)))
        readings[row] = [rds[i] for i in keep]
        candidates[row] = [values[i] for i in keep]
    if not readings:
        return mapper.result
    solutions = recover.solve(candidates, _request_constraints(version, set(candidates)))
    for row, rds in readings.items():
        if solutions:
            per_row = [s[row] for s in solutions]
            why = "the only reading that satisfies R1–R3"
        else:
            per_row = candidates[row]
            why = "the only reading whose row total adds up"
        agree = recover.agreed(per_row)
        determined = [a is not recover.UNDETERMINED for a in agree]
        chosen = next(rd for rd, v in zip(rds, candidates[row]) if v == list(per_row[0]))
        mapper.emit_reading("requests", row, observed[row], chosen, determined, why)
    return mapper.result


def map_review(rows: Sequence[Row], version: str) -> TableResult:
    """Section 四: the fifteen values that follow the header, in the form's order."""
    mapper = _Mapper(version, 10000.0)
    values = tuple(v for r in rows for v in r.values)
    if not values:
        return mapper.result
    obs = _Observed("values", rows[0].label or "", values, False)
    cols = mapper.cols("review", "")
    vals = _trim(values, len(cols))

    def emit_all(reading_texts: Sequence[tuple[Token, str, bool]], why: str | None) -> None:
        for col, (tok, text, whole) in zip(cols, reading_texts, strict=True):
            group, outcome = col.split(".")
            conf = (CONFIDENCE_GRID if tok.method != "text" else CONFIDENCE_TEXT) if whole else CONFIDENCE_RECOVERED
            mapper.emit("review", group, outcome, tok, text, conf,
                        None if whole else f"cut from printed {tok.text!r} ({why})")

    if len(vals) == len(cols):
        emit_all([(v, v.text, True) for v in vals], None)
        return mapper.result
    rds = mapper.readings("review", cols, obs)
    if not rds:
        return mapper.result
    values_ = [[parse_value(p.text).value for p in rd] for rd in rds]

    def r4_ok(v: Sequence[float | None]) -> bool:
        for g in range(3):
            part = v[g * 5:(g + 1) * 5]
            if all(x is not None for x in part) and abs(sum(part[:4]) - part[4]) > 1e-6:  # type: ignore[arg-type]
                return False
        return True

    keep = [i for i, v in enumerate(values_) if r4_ok(v)] or list(range(len(values_)))
    agree = recover.agreed([values_[i] for i in keep])
    chosen = rds[keep[0]]
    texts = []
    for col, piece, a in zip(cols, chosen, agree, strict=True):
        if a is recover.UNDETERMINED:
            mapper.result.warnings.append(f"review.{col}: printed values can be read several ways; left out")
            texts.append(None)
        else:
            texts.append((vals[piece.token], piece.text, piece.whole))
    for col, item in zip(cols, texts, strict=True):
        if item is not None:
            group, outcome = col.split(".")
            tok, text, whole = item
            conf = CONFIDENCE_RECOVERED if not whole else CONFIDENCE_TEXT
            mapper.emit("review", group, outcome, tok, text, conf,
                        None if whole else f"cut from printed {tok.text!r} (the only reading that satisfies R4)")
    return mapper.result
