"""One series from 2008 to today: the ``[[series]]`` keys of ``rules/data/crosswalk.toml``.

A series key is shared by legacy reports (2008–2018), the 2019 trial form and the 2021 form. Each
side is a sum of canonical cells or of figures stated in prose (``facts:`` keys), computed only
when every part is a number; ``comparability`` (same · derived · rough) and ``why`` say how far
the numbers line up. The rows join the ``crosswalk`` table (hkey ``series.*``).
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import pandas as pd

from rules.constants import VERSIONS, FormVersion
from rules.data import DATA_DIR, schema_keys
from rules.legacy_data import prose_words

logger = logging.getLogger(__name__)

SERIES_FILE = DATA_DIR / "crosswalk.toml"
FACTS_PREFIX = "facts:"
LEGACY = FormVersion.LEGACY
MODERN = VERSIONS
PROSE_METHOD = "prose"


class Comparability(StrEnum):
    SAME = "same"
    DERIVED = "derived"
    ROUGH = "rough"


@dataclass(frozen=True, slots=True)
class SeriesKey:
    hkey: str
    unit: str
    legacy: tuple[str, ...]
    modern: tuple[str, ...]
    comparability: Comparability
    why: str

    def parts(self, version: str) -> tuple[str, ...]:
        return self.legacy if version == LEGACY else self.modern


@cache
def series_keys() -> tuple[SeriesKey, ...]:
    with SERIES_FILE.open("rb") as fh:
        raw = tomllib.load(fh).get("series", [])
    return tuple(
        SeriesKey(
            s["hkey"], s["unit"], tuple(s["legacy"]), tuple(s["modern"]), Comparability(s["comparability"]), s["why"]
        )
        for s in raw
    )


def validate_series() -> list[str]:
    """Problems in the [[series]] entries (empty when consistent)."""
    problems: list[str] = []
    seen: set[str] = set()
    for s in series_keys():
        if not s.hkey.startswith("series.") or s.hkey in seen:
            problems.append(f"crosswalk.toml: series key {s.hkey} must be unique and start with series.")
        seen.add(s.hkey)
        for version in (LEGACY, *MODERN):
            for part in s.parts(version):
                if part.startswith(FACTS_PREFIX):
                    continue
                cell = schema_keys(version).get(part)
                if cell is None:
                    problems.append(f"crosswalk.toml: {s.hkey}: {part} is not a key of the {version} form")
                elif cell.unit != s.unit and not (s.unit == "件" and cell.unit in ("件", "条")):
                    problems.append(f"crosswalk.toml: {s.hkey}: {part} is in {cell.unit}, the series in {s.unit}")
        several = max(len(s.legacy), len(s.modern)) > 1
        if several and s.comparability is Comparability.SAME:
            problems.append(f"crosswalk.toml: {s.hkey} sums several cells but is marked same (derived or rough)")
    return problems


def _fact_values(facts: pd.DataFrame | None) -> dict[tuple[str, str], float | None]:
    """(report_id, key) -> the figure, when every sentence stating it agrees (else None)."""
    out: dict[tuple[str, str], float | None] = {}
    if facts is None or facts.empty:
        return out
    for (rid, key), grp in facts.groupby(["report_id", "key"]):
        values = set(grp["value"].round(6))
        out[(str(rid), str(key))] = values.pop() if len(values) == 1 else None
    return out


def series_rows(meta: pd.DataFrame, cells: pd.DataFrame, facts: pd.DataFrame | None) -> list[dict[str, object]]:
    """Rows of the crosswalk table for the series keys (``meta``: one row per report to harmonise)."""
    keys = series_keys()
    said = _fact_values(facts)
    by_report = {str(rid): grp.set_index("key") for rid, grp in cells.groupby("report_id")}
    out: list[dict[str, object]] = []
    for rec in meta.to_dict("records"):
        rid, version = str(rec["report_id"]), str(rec["format_version"])
        mine = by_report.get(rid)
        for s in keys:
            parts = s.parts(version)
            values: list[float] = []
            prose = False
            for part in parts:
                if part.startswith(FACTS_PREFIX):
                    v = said.get((rid, part.removeprefix(FACTS_PREFIX)))
                    prose = True
                elif mine is not None and part in mine.index and mine.at[part, "state"] == "number":
                    v = float(mine.at[part, "value"])
                    prose = prose or mine.at[part, "method"] == PROSE_METHOD
                else:
                    v = None
                if v is None:
                    break
                values.append(v)
            if len(values) != len(parts):
                continue
            out.append(
                {
                    **{k: rec[k] for k in ("report_id", "source", "agency", "report_year", "format_version")},
                    "hkey": s.hkey,
                    "value": float(sum(values)),
                    "state": "number",
                    "key": "+".join(parts),
                    "unit": s.unit,
                    "comparable": True,
                    "derived": len(parts) > 1,
                    "comparability": s.comparability.value,
                    "prose": prose,
                }
            )
    return out


def render_series_section() -> list[str]:
    """The data dictionary's section on the series keys."""
    lines = [
        f"## The series 2008 → today (`series.*`, {len(series_keys())} harmonised keys)",
        "",
        "Shared by legacy reports (2007 regulation, reports on 2008–2018; keys in docs/LEGACY.md), the 2019"
        " and the 2021 form. A side is the sum of the cells named (`facts:` = a figure stated in prose, from"
        " the `facts` table), given only when every part is a number. `prose = true` marks a value read"
        " from a sentence. comparability: **same** = the same measure; **derived** = the same measure,"
        " summed from rows one form splits; **rough** = close in meaning, not equal by definition.",
        "",
        "| hkey | comparability | unit | legacy | 2019 and 2021 | why |",
        "|---|---|---|---|---|---|",
    ]
    for s in series_keys():
        legacy = " + ".join(f"`{p}`" for p in s.legacy)
        modern = " + ".join(f"`{p}`" for p in s.modern)
        lines.append(f"| `{s.hkey}` | {s.comparability.value} | {s.unit} | {legacy} | {modern} | {s.why} |")
    return [*lines, ""]


FACT_MEANING = {
    "facts.active.published": "government information proactively disclosed in the year, total (stated in prose)",
    "facts.requests.received": "disclosure requests received (收到/受理申请; may include those carried over)",
    "facts.requests.completed": "requests answered / completed (办结/答复)",
    "facts.review.total": "administrative reviews about disclosure",
    "facts.litigation.total": "lawsuits about disclosure",
    "facts.fees.amount": "fees charged for disclosure (信息处理费), 万元",
}


def render_facts_section() -> list[str]:
    """The data dictionary's section on the keys of the ``facts`` table in 2019+ reports."""
    lines = [
        "## Facts stated in prose (`facts` table)",
        "",
        "Legacy reports use their `legacy.*` keys (docs/LEGACY.md). In 2019+ reports a figure stated in a"
        " sentence gets one of these keys; rule T1 compares it with the cells it restates (any one"
        " alternative may hold).",
        "",
        "| key | meaning | T1 compares with |",
        "|---|---|---|",
    ]
    for f in prose_words().facts:
        if not f.modern:
            continue
        restates = " or ".join(" + ".join(f"`{k}`" for k in alt) for alt in f.restates) or "—"
        lines.append(f"| `{f.modern}` | {FACT_MEANING.get(f.modern, '')} | {restates} |")
    return [*lines, ""]
