"""Form-shaped views of one report for the notebooks: its cells laid out as the national form prints
them, the cells each check involves (to highlight failures), and where its source is.

Everything here reads the dataset tables (pandas), never a source file's reader, so a notebook can
spot-check any dataset without re-running the extraction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from lxml import etree
from lxml import html as lxml_html

from extractor.readers.encoding import decode_bytes
from extractor.readers.html import _declared_charset, element_for_locator
from rules.constants import VERSIONS, FormVersion
from rules.data import form, request_rows, schema, schema_keys, section_label
from rules.form import Rule, equations
from rules.values import State

logger = logging.getLogger(__name__)

NOT_PRINTED = "·"  # the report's table has no such cell
TOP_LEVEL_SEGMENTS = 3  # a schema label "三/row/column" of a row that stands under no block
LABEL_JOIN = " · "  # between the header levels of a review group (行政诉讼 · 复议后起诉)


@dataclass(frozen=True, slots=True)
class FormTable:
    """A block of the form: printed text per slot, and the canonical key behind each slot."""

    title: str
    text: pd.DataFrame
    keys: pd.DataFrame


def _segments(version: str, key: str) -> list[str]:
    return schema_keys(version)[key].label.split("/")


def cell_text(state: object, value: object, raw: object) -> str:
    """How a cell reads in a view: the number, '' for blank, the printed mark for dash and text."""
    if state == State.NUMBER and value is not None and not pd.isna(value):
        v = float(value)  # type: ignore[arg-type]
        return str(int(v)) if v.is_integer() else f"{v:g}"
    if state == State.BLANK:
        return ""
    return "" if raw is None or pd.isna(raw) else str(raw)


def _grid(title: str, rows: list[tuple[str, list[str]]], cols: list[str], printed: dict[str, str]) -> FormTable:
    keys = pd.DataFrame([ks for _, ks in rows], index=[lbl for lbl, _ in rows], columns=cols)
    text = keys.map(lambda k: printed.get(k, NOT_PRINTED) if k else "")
    return FormTable(title, text, keys.fillna(""))


def _printed(cells: pd.DataFrame) -> dict[str, str]:
    return {
        str(k): cell_text(s, v, r)
        for k, s, v, r in zip(cells["key"], cells["state"], cells["value"], cells["raw"], strict=True)
    }


def section2_tables(cells: pd.DataFrame, version: str) -> list[FormTable]:
    """Section 二: one small table per 第二十条 item, with that item's own column headings."""
    printed = _printed(cells)
    groups: dict[str, list[str]] = {}
    for c in schema()[version]:
        if c.table == "active":
            groups.setdefault(c.label.split("/")[1], []).append(c.key)
    out = []
    for item, keys in groups.items():
        by_row: dict[str, list[str]] = {}
        col_labels: list[str] = []
        for k in keys:
            seg = _segments(version, k)
            by_row.setdefault(seg[2], []).append(k)
            col = "/".join(seg[3:])  # 本年增/减 holds the separator
            if col not in col_labels:
                col_labels.append(col)
        rows = [(lbl, ks + [""] * (len(col_labels) - len(ks))) for lbl, ks in by_row.items()]
        out.append(_grid(item, rows, col_labels, printed))
    return out


def section3_table(cells: pd.DataFrame, version: str) -> FormTable:
    """Section 三 as the form prints it: applicant columns × request rows (outcomes in form order)."""
    printed = _printed(cells)
    rows = list(request_rows(version))
    if "requests.other.total" in printed and "other" not in rows:  # a 2021 report printing the 2019 row
        rows.insert(rows.index("handled_total"), "other")
    cols = form().request_columns
    col_labels = [_segments(FormVersion.V2019, f"requests.new_received.{c}")[-1] for c in cols]
    out = []
    for row in rows:
        ver = version if f"requests.{row}.total" in schema_keys(version) else FormVersion.V2019
        seg = _segments(ver, f"requests.{row}.total")
        # a row under the outcomes block (三、本年度办理结果) is named by its own headings
        label = " ".join(seg[2:-1]) if len(seg) > TOP_LEVEL_SEGMENTS else seg[1]
        out.append((label, [f"requests.{row}.{c}" for c in cols]))
    return _grid(section_label(form().requests.section), out, col_labels, printed)


def section4_table(cells: pd.DataFrame) -> FormTable:
    """Section 四 as a 3 × 5 grid: 行政复议, 行政诉讼 (direct, after review) × 维持 … 总计."""
    printed = _printed(cells)
    outcomes = form().review.outcomes
    col_labels = [_segments(FormVersion.V2019, f"review.admin_review.{o}")[-1] for o in outcomes]
    rows = [
        (
            LABEL_JOIN.join(_segments(FormVersion.V2019, f"review.{g}.{form().total}")[1:-1]),
            [f"review.{g}.{o}" for o in outcomes],
        )
        for g in form().review.groups
    ]
    return _grid(section_label(form().review.section), rows, col_labels, printed)


def form_tables(cells: pd.DataFrame, version: str) -> list[FormTable]:
    """All the form's blocks for one report (cells of that report only)."""
    return [*section2_tables(cells, version), section3_table(cells, version), section4_table(cells)]


# --- which cells a check involves ----------------------------------------------------------------


def check_keys(rule: str, scope: str, version: str) -> set[str]:
    """The canonical keys whose values a check compares (for highlighting a failure)."""
    eqs = equations(version, schema_keys(version)) if version in VERSIONS else []
    eq = next((e for e in eqs if (e.rule, e.scope) == (rule, scope)), None)
    if eq is not None:
        # R2 of a 2021 report may sum the 2019-style single 其他处理 row instead of its three sub-rows
        return {*eq.keys, f"requests.other.{scope}"} if rule == Rule.HANDLED else set(eq.keys)
    if rule == "X1":
        return {scope.split()[0]}
    if rule == "X2":
        stem = scope.split()[0].rsplit(".", 1)[0]
        return {f"{stem}.in_force", f"{stem}.issued", f"{stem}.repealed"}
    if rule == "X3":
        stem = scope.split()[0].rsplit(".", 1)[0]
        return {f"{stem}.prior_items", f"{stem}.change"}
    return set()


def failing_keys(checks: pd.DataFrame, version: str) -> dict[str, list[str]]:
    """key -> the failing checks (``rule scope``) it takes part in, for one report's checks."""
    out: dict[str, list[str]] = {}
    for rule, scope, passed in zip(checks["rule"], checks["scope"], checks["passed"], strict=True):
        if pd.notna(passed) and not passed:
            for k in check_keys(str(rule), str(scope), version):
                out.setdefault(k, []).append(f"{rule} {scope}")
    return out


# --- the source ----------------------------------------------------------------------------------


def resolve_source(source: str, roots: Iterable[Path]) -> Path | None:
    """The file a ``reports.source`` names: as is when absolute, else under the first root holding it."""
    p = Path(source)
    if p.is_absolute():
        return p if p.exists() else None
    for root in roots:
        if (root / p).exists():
            return root / p
    return None


def pdf_boxes(cells: pd.DataFrame) -> dict[int, list[tuple[str, tuple[float, float, float, float]]]]:
    """page -> [(key, (x0, top, x1, bottom) in PDF points)] for the cells that carry a bbox."""
    out: dict[int, list[tuple[str, tuple[float, float, float, float]]]] = {}
    for key, page, bbox in zip(cells["key"], cells["page"], cells["bbox"], strict=True):
        if pd.isna(page) or bbox is None or pd.isna(bbox):
            continue
        x0, top, x1, bottom = (float(x) for x in str(bbox).split(","))
        out.setdefault(int(page), []).append((str(key), (x0, top, x1, bottom)))
    return out


def html_source_tables(data: bytes, marks: dict[str, str]) -> str:
    """The source page's tables as HTML, each cell named by a locator in ``marks`` given that
    background colour. The page is parsed as the HTML reader parses it, so the locators match."""
    text, _ = decode_bytes(data, _declared_charset(data))
    root = lxml_html.document_fromstring(text)
    tree = root.getroottree()
    for locator, colour in marks.items():
        el = element_for_locator(tree, locator)
        if el is not None:
            el.set("style", f"background-color:{colour}")
    tables = [t for t in root.iter("table") if not any(a.tag == "table" for a in t.iterancestors())]
    parts = []
    for t in tables:
        for el in t.iter():
            if isinstance(el.tag, str):
                for attr in [a for a in el.attrib if a.lower().startswith("on")]:
                    del el.attrib[attr]
        t.set("border", "1")
        parts.append(etree.tostring(t, encoding="unicode", method="html"))
    return "\n".join(parts)
