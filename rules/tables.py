"""Map the rows of sections 二, 三 and 四 onto the canonical cells of the form.

Values are mapped by their order in the row (the form's column order), which is robust to the
header/value colspan mismatches real pages have. A row with fewer printed tokens than columns is
handed to :mod:`rules.recover`; a row that cannot be read unambiguously is left out with a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

from extractor.model import UNREADABLE
from rules import recover
from rules.ambiguity import Ambiguity, RowPart, record, row_part
from rules.constants import AMOUNT_UNIT, COUNT_UNIT, YUAN_PER_AMOUNT_UNIT, FormVersion
from rules.data import SchemaCell, columns, form, printed_request_rows, row_specs, schema_keys
from rules.form import Equation, Rule, none_fail, request_equations, review_equations, row_total_equation
from rules.labels import match_group, match_row
from rules.normalize import label_key
from rules.prose import numbers_near
from rules.stream import GRID, Row, Token
from rules.values import CellValue, State, parse_value

logger = logging.getLogger(__name__)

CONFIDENCE_GRID = 0.98
CONFIDENCE_TEXT = 0.95
CONFIDENCE_FUZZY_LABEL = 0.85
CONFIDENCE_RECOVERED = 0.8
CONFIDENCE_BY_ORDER = 0.6
CONFIDENCE_TEXT_CELL = 0.5  # a cell that prints text where the form wants a number
MAX_KEPT_READINGS = 256  # more readings than this are no evidence worth carrying to the batch


@dataclass(frozen=True, slots=True)
class Cell:
    key: str
    table: str
    row: str
    col: str
    value: float | None
    state: State
    raw: str
    unit: str
    token: Token
    confidence: float
    note: str | None = None


def cell_of(
    spec: SchemaCell,
    value: float | None,
    state: State,
    raw: str,
    token: Token,
    confidence: float,
    note: str | None = None,
) -> Cell:
    """The cell of canonical ``spec`` (key, table, row, column and unit from schema.json)."""
    return Cell(spec.key, spec.table, spec.row, spec.col, value, state, raw, spec.unit, token, confidence, note)


@dataclass
class TableResult:
    cells: list[Cell] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    ambiguities: list[Ambiguity] = field(default_factory=list)  # left out, with the readings that remain


@dataclass(frozen=True, slots=True)
class _Observed:
    row: str
    label: str
    values: tuple[Token, ...]
    fuzzy: bool
    by_order: bool = False


def _trim(values: Sequence[Token], n: int) -> list[Token]:
    """A row's values without the empty (or dash-filled) slots a wider grid adds beyond the form's
    ``n`` columns: trailing first, then leading."""
    vals = list(values)
    while len(vals) > n and _placeholder(vals[-1]):
        vals.pop()
    while len(vals) > n and not vals[0].text:
        vals.pop(0)
    return vals


def _placeholder(tok: Token) -> bool:
    return not tok.text or parse_value(tok.text).state is State.DASH


def _is_amount(version: str, key: str) -> bool:
    cell = schema_keys(version).get(key)
    return cell is not None and cell.unit == AMOUNT_UNIT


def _unit(version: str, key: str) -> str:
    cell = schema_keys(version).get(key) or schema_keys(FormVersion.V2019).get(key)
    return cell.unit if cell else COUNT_UNIT


def _other_version(version: str) -> FormVersion:
    return FormVersion.V2019 if version == FormVersion.V2021 else FormVersion.V2021


class _Mapper:
    def __init__(self, version: str, amount_factor: float) -> None:
        self.version = version
        self.amount_factor = amount_factor
        self.result = TableResult()
        self.keys_done: set[str] = set()

    def keep_ambiguity(self, amb: Ambiguity) -> None:
        """Keep the readings of cells left out, for the batch's cross-year evidence (not too many)."""
        if len(amb.readings) <= MAX_KEPT_READINGS:
            self.result.ambiguities.append(amb)

    def parse(self, key: str, text: str) -> CellValue:
        return parse_value(text, amount=_is_amount(self.version, key), default_unit_factor=self.amount_factor)

    def emit(
        self,
        table: str,
        row: str,
        col: str,
        token: Token,
        text: str,
        confidence: float,
        note: str | None = None,
    ) -> None:
        key = f"{table}.{row}.{col}"
        if key in self.keys_done:
            return
        if text == UNREADABLE:
            self.result.warnings.append(
                f"{key}: the cell holds ink OCR could not read (page {token.prov.page}, bbox "
                f"{tuple(round(float(v), 1) for v in token.prov.bbox or ())}); left out"
            )
            return
        cv = self.parse(key, text)
        remark = f"printed with the remark {token.remark}" if token.remark else None
        notes = "; ".join(n for n in (note, cv.note, remark) if n) or None
        if cv.state is State.TEXT:
            confidence = min(confidence, CONFIDENCE_TEXT_CELL)
        self.keys_done.add(key)
        self.result.cells.append(
            Cell(
                key,
                table,
                row,
                col,
                cv.value,
                cv.state,
                text,
                _unit(self.version, key),
                token,
                confidence,
                notes,
            )
        )

    def emit_direct(self, table: str, row: str, cols: Sequence[str], obs: _Observed, values: Sequence[Token]) -> None:
        for col, tok in zip(cols, values, strict=True):
            conf = _confidence(tok)
            note = None
            if obs.fuzzy:
                conf = min(conf, CONFIDENCE_FUZZY_LABEL)
                note = f"row label {obs.label!r} matched fuzzily"
            if obs.by_order:
                conf = min(conf, CONFIDENCE_BY_ORDER)
                note = "row placed by the form's row order (its label could not be read)"
            self.emit(table, row, col, tok, tok.text, conf, note)

    def readings(self, table: str, cols: Sequence[str], obs: _Observed) -> list[list[recover.Piece]]:
        vals = _trim(obs.values, len(cols))
        if len(vals) > len(cols):
            self.result.warnings.append(
                f"{table}.{obs.row}: {len(vals)} values printed where the form has {len(cols)} columns "
                f"({' | '.join(v.text for v in vals)}); row left out"
            )
            return []
        # A lone token must be cut to fill the row at all; several separated ones are taken as printed.
        cuttable = [len(vals) == 1 or recover.may_hide_cells(v.text, v.separated) for v in vals]
        readings = recover.row_readings([v.text for v in vals], len(cols), cuttable)
        readings = [rd for rd in readings if recover.signs_fit(rd, cols, form().signed_columns)]
        if not readings:
            self.result.warnings.append(
                f"{table}.{obs.row}: only {len(vals)} value(s) printed for {len(cols)} columns "
                f"({' | '.join(v.text or '(blank)' for v in vals)}); the cells cannot be placed and are left out"
            )
        return readings

    def values_of(self, table: str, row: str, reading: Sequence[recover.Piece]) -> list[float | None]:
        cols = self.cols(table, row)
        return [self.parse(f"{table}.{row}.{c}", p.text).value for c, p in zip(cols, reading, strict=True)]

    def cols(self, table: str, row: str) -> tuple[str, ...]:
        if table == "review":
            return form().review.columns
        cols = columns(self.version, table, row)
        if not cols and table == "requests":
            cols = columns(_other_version(self.version), table, row)
        return cols

    def emit_reading(
        self,
        table: str,
        row: str,
        obs: _Observed,
        reading: Sequence[recover.Piece],
        determined: Sequence[bool],
        why: str,
    ) -> None:
        cols = self.cols(table, row)
        self.emit_pieces([(table, row, c) for c in cols], obs, reading, determined, why)

    def emit_pieces(
        self,
        keys: Sequence[tuple[str, str, str]],
        obs: _Observed,
        reading: Sequence[recover.Piece],
        determined: Sequence[bool],
        why: str,
    ) -> None:
        """Emit one reading of a row's printed tokens; undetermined cells are left out with a warning."""
        vals = _trim(obs.values, len(keys))
        left_out = []
        last = {p.token: i for i, p in enumerate(reading)}
        for i, ((table, row, col), piece, ok) in enumerate(zip(keys, reading, determined, strict=True)):
            tok = vals[piece.token]
            if last[piece.token] != i:
                tok = replace(tok, remark=None)  # a remark belongs to the last cell cut from its token
            if not ok:
                left_out.append(f"{table}.{row}.{col}")
            elif piece.whole:
                self.emit(table, row, col, tok, piece.text, _confidence(tok))
            else:
                self.emit(
                    table, row, col, tok, piece.text, CONFIDENCE_RECOVERED, f"cut from printed {tok.text!r} ({why})"
                )
        if left_out:
            printed = " ".join(v.text for v in vals)
            self.result.warnings.append(
                f"{keys[0][0]}.{keys[0][1]}: printed {printed!r} can be read several ways; left out: "
                f"{', '.join(k.split('.', 2)[2] for k in left_out)}"
            )


def _confidence(tok: Token) -> float:
    conf = CONFIDENCE_GRID if tok.method != "text" else CONFIDENCE_TEXT
    # an OCR'd cell is only as sure as its recogniser (a blank cell carries no confidence)
    return conf if tok.confidence is None else min(conf, round(tok.confidence, 4))


def _group_of(row: str) -> str | None:
    """The outcome group a section-三 row stands under: its id begins with the group's
    (``withheld_state_secret`` under ``withheld``)."""
    return next((g for g in form().requests.groups if row.startswith(f"{g}_")), None)


def _names_other_table(table: str, label: str) -> bool:
    other = "requests" if table == "active" else "active"
    return match_row(other, label, "other") is not None or match_group(label) is not None


def _observe(
    rows: Sequence[Row], table: str, result: TableResult, sequence: list[tuple[str | None, Row]] | None = None
) -> dict[str, _Observed]:
    """First occurrence of each form row among the stream's rows. ``sequence`` receives every row
    with values in stream order, with the form row it names (None when its label names none)."""
    seen: dict[str, _Observed] = {}
    group: str | None = None
    misaligned = _labels_misaligned(rows, table)
    for r in rows:
        if sequence is not None:
            sequence.append((None, r))
        if misaligned and not r.aligned:
            continue  # its label may name values printed elsewhere: placed by order, if at all
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
        # an outcome row outside the groups (予以公开) keeps the heading it stands under; a flow row
        # (本年新收, 总计) leaves it; a row that is a group by itself (其他处理 of 2019) opens it
        in_flow = spec.row in form().requests.flow
        group = _group_of(spec.row) or (None if in_flow else group)
        if spec.row in form().requests.groups:
            group = spec.row
        if spec.row not in seen:
            seen[spec.row] = _Observed(spec.row, r.label, r.values, fuzzy)
            if sequence is not None:
                sequence[-1] = (spec.row, r)
    return seen


def _labels_misaligned(rows: Sequence[Row], table: str) -> bool:
    """Whether text lines of values stand alone without a label (the layout PDF-to-text tools give
    tall cells: the label printed below or above its numbers). Then a label on another line than
    the values after it cannot be trusted to name them."""
    if table != "requests":
        return False
    return any(r.label is None and r.values[0].block != GRID and len(r.values) > 1 for r in rows)


def _fill_gaps_by_order(
    sequence: Sequence[tuple[str | None, Row]], form_rows: Sequence[str], n_cols: int
) -> dict[str, Row]:
    """Rows whose labels could not be read, placed by the form's row order.

    Between two rows whose labels were read, the unread rows that print a full set of values are
    given the form rows missing between them — only when their numbers match exactly.
    """
    position = {r: i for i, r in enumerate(form_rows)}
    anchors = [(i, position[row]) for i, (row, _) in enumerate(sequence) if row in position]
    placed: dict[str, Row] = {}
    bounds = [(-1, -1), *anchors, (len(sequence), len(form_rows))]
    for (s0, f0), (s1, f1) in pairwise(bounds):
        if f1 <= f0:
            continue
        unread = [r for row, r in sequence[s0 + 1 : s1] if row is None and len(_trim(r.values, n_cols)) == n_cols]
        missing = form_rows[f0 + 1 : f1]
        if unread and len(unread) == len(missing):
            placed.update(zip(missing, unread, strict=True))
    return placed


def map_active(rows: Sequence[Row], version: str, amount_factor: float, prose: str = "") -> TableResult:
    """Section 二: each row by itself (no arithmetic ties its cells; the prose may confirm a reading)."""
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
        if not readings:
            continue
        values = [mapper.values_of("active", row, rd) for rd in readings]
        agree = recover.agreed(values)
        if all(a is not recover.UNDETERMINED for a in agree):
            mapper.emit_reading("active", row, obs, readings[0], [True] * len(cols), "the only way to cut it")
            continue
        hints = numbers_near(prose, _row_words("active", row))
        chosen = _confirmed_by_prose(values, hints)
        if chosen is not None:
            mapper.result.warnings.append(
                f"active.{row}: printed {' '.join(v.text for v in obs.values)!r} read as "
                f"{' | '.join(f'{x:g}' for x in values[chosen])} because the report's text gives these numbers"
            )
            mapper.emit_reading(
                "active",
                row,
                obs,
                readings[chosen],
                [True] * len(cols),
                "the only reading the report's text confirms",
            )
        else:
            determined = [a is not recover.UNDETERMINED for a in agree]
            mapper.emit_reading("active", row, obs, readings[0], determined, "the only way to cut it")
            keys = [f"active.{row}.{c}" for c in cols]
            part = row_part(keys, _trim(obs.values, len(cols)), readings, values, [not d for d in determined])
            mapper.keep_ambiguity(record([part], [[i] for i in range(len(readings))], hints))
    return mapper.result


def _row_words(table: str, row: str) -> tuple[str, ...]:
    return next(s.labels for s in row_specs(table) if s.row == row)


def _confirmed_by_prose(values: Sequence[Sequence[float | None]], hints: set[float]) -> int | None:
    """The one reading all of whose cells but at most one are numbers the prose gives for the row."""
    if not hints:
        return None
    scores = [sum(v in hints for v in vals if v is not None) for vals in values]
    best = max(scores)
    if best == 0 or scores.count(best) != 1:
        return None
    i = scores.index(best)
    return i if len(values[i]) - best <= 1 else None


def _request_constraints(version: str, present: set[str]) -> list[recover.Constraint]:
    """R1 and R2 of the rows being read, as constraints on the candidate readings of their rows."""
    cols = {c: i for i, c in enumerate(form().request_columns)}
    out: list[recover.Constraint] = []

    def value(a: recover.Assignment, key: str) -> float | None:
        _, row, col = key.split(".", 2)
        return a[row][cols[col]]

    for eq in request_equations(version, present):
        if eq.rule is Rule.ROW_TOTAL:
            continue  # within one row: applied to each row's readings before the search

        def pred(a: recover.Assignment, eq: Equation = eq) -> bool | None:
            return eq.sides(lambda key: value(a, key)).holds

        out.append((frozenset(k.split(".", 2)[1] for k in eq.keys), pred))
    return out


def _row_total_ok(row: str, vals: Sequence[float | None]) -> bool | None:
    """R3 on one reading of a section-三 row (values in the form's column order)."""
    by_key = dict(zip((f"requests.{row}.{c}" for c in form().request_columns), vals, strict=True))
    return row_total_equation(row).sides(by_key.__getitem__).holds


def map_requests(rows: Sequence[Row], version: str) -> TableResult:
    """Section 三: direct rows as printed; rows with lost boundaries recovered by R1–R3 together."""
    mapper = _Mapper(version, YUAN_PER_AMOUNT_UNIT)
    sequence: list[tuple[str | None, Row]] = []
    observed = _observe(rows, "requests", mapper.result, sequence)
    form_rows = printed_request_rows(version, observed)
    cols = form().request_columns
    for row, r in _fill_gaps_by_order(sequence, form_rows, len(cols)).items():
        observed[row] = _Observed(row, r.label or "", r.values, fuzzy=False, by_order=True)
        mapper.result.warnings.append(
            f"requests.{row}: values {' '.join(v.text for v in r.values)!r} placed by the form's row order "
            f"(their label {r.label!r} could not be read)"
        )
    if version == FormVersion.V2019:
        for extra in [r for r in observed if r.startswith("other_")]:
            mapper.result.warnings.append(f"requests.{extra}: a 2021 row in a 2019 report; left out")
            del observed[extra]
    candidates: dict[str, list[list[float | None]]] = {}
    readings: dict[str, list[list[recover.Piece]]] = {}
    for row, obs in observed.items():
        vals = _trim(obs.values, len(cols))
        if len(vals) == len(cols):
            mapper.emit_direct("requests", row, cols, obs, vals)
            candidates[row] = [
                [mapper.parse(f"requests.{row}.{c}", v.text).value for c, v in zip(cols, vals, strict=True)]
            ]
            continue
        rds = mapper.readings("requests", cols, obs)
        if not rds:
            continue
        values = [mapper.values_of("requests", row, rd) for rd in rds]
        keep = [i for i, v in enumerate(values) if _row_total_ok(row, v) is not False] or list(range(len(values)))
        readings[row] = [rds[i] for i in keep]
        candidates[row] = [values[i] for i in keep]
    if not readings:
        return mapper.result
    solutions = recover.solve(candidates, _request_constraints(version, set(candidates)))
    parts: dict[str, RowPart] = {}
    for row, rds in readings.items():
        per_row: Sequence[Sequence[float | None]]
        if solutions:
            per_row = [s[row] for s in solutions]
            why = "the only reading that satisfies R1–R3"
        else:
            per_row = candidates[row]
            why = "the only reading whose row total adds up"
        agree = recover.agreed(per_row)
        determined = [a is not recover.UNDETERMINED for a in agree]
        chosen = next(rd for rd, v in zip(rds, candidates[row], strict=True) if v == list(per_row[0]))
        mapper.emit_reading("requests", row, observed[row], chosen, determined, why)
        if solutions and not all(determined):
            vals = _trim(observed[row].values, len(cols))
            offset = sum(len(p.tokens) for p in parts.values())
            keys = [f"requests.{row}.{c}" for c in cols]
            parts[row] = row_part(keys, vals, rds, candidates[row], [not d for d in determined], offset)
    if parts and solutions:
        combos = [[candidates[row].index(list(s[row])) for row in parts] for s in solutions]
        mapper.keep_ambiguity(record(list(parts.values()), combos))
    return mapper.result


def _r4_ok(v: Sequence[float | None]) -> bool | None:
    """R4 on one reading of section 四's value row (values in the form's order)."""
    by_key = dict(zip((f"review.{c}" for c in form().review.columns), v, strict=True))
    return none_fail(review_equations(), by_key.__getitem__)


def map_review(rows: Sequence[Row], version: str) -> TableResult:
    """Section 四: the fifteen values that follow the header, in the form's order."""
    mapper = _Mapper(version, YUAN_PER_AMOUNT_UNIT)
    keys = [("review", g, o) for g, o in (col.split(".", 1) for col in mapper.cols("review", ""))]
    n = len(keys)
    values: tuple[Token, ...] = ()
    for i, r in enumerate(rows):
        if all(v.text in ("", UNREADABLE) for v in (*values, *r.values)):
            values = ()  # header rows (blank, or OCR'd labels that could not be read): no value row yet
            continue
        values += r.values
        if len(_trim(values, n)) >= n and i + 1 < len(rows):
            # Section 四 prints one value row; numbers in rows after it are prose, not cells.
            mapper.result.warnings.append(
                f"review: {sum(len(x.values) for x in rows[i + 1 :])} number(s) after the value row ignored "
                f"({' '.join(x.label or '' for x in rows[i + 1 :])[:60]})"
            )
            break
    if not values:
        return mapper.result
    obs = _Observed("values", rows[0].label or "", values, False)
    readings = mapper.readings("review", [f"{k[1]}.{k[2]}" for k in keys], obs)
    if not readings:
        return mapper.result
    parsed = [[parse_value(p.text).value for p in rd] for rd in readings]
    keep = [i for i, v in enumerate(parsed) if _r4_ok(v) is not False] or list(range(len(parsed)))
    agree = recover.agreed([parsed[i] for i in keep])
    determined = [a is not recover.UNDETERMINED for a in agree]
    mapper.emit_pieces(keys, obs, readings[keep[0]], determined, "the only reading that satisfies R4")
    return mapper.result
