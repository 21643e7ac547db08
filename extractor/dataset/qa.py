"""The QA report written beside every dataset (``OUT_DIR/qa_report.md``): what a person checks first.

Figures are computed from the dataset tables by :func:`qa_figures` (DataFrames, so tests and
notebooks can use them) and rendered as Markdown by :func:`render_qa_report`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd

from extractor.dataset.write import atomic_write
from extractor.model import Status
from rules.ambiguity import AMBIGUOUS_KIND
from rules.constants import FormVersion
from rules.crossyear import agency_key
from rules.crossyear_resolve import RESOLVED_METHOD

logger = logging.getLogger(__name__)

QA_REPORT_NAME = "qa_report.md"
SLOWEST_N = 10
FAILING_CHECKS_MAX = 200
UNMAPPED_LABELS_MAX = 100
STATUS_ORDER = tuple(Status)
NO_VERSION = "(none)"


@dataclass(frozen=True)
class QAFigures:
    """The QA report's figures, one DataFrame per part."""

    n_documents: int
    n_duplicates: int
    by_status: pd.DataFrame  # status, documents
    by_version: pd.DataFrame  # format_version, documents
    by_format: pd.DataFrame  # file_format × status counts
    rules: pd.DataFrame  # rule, evaluated, passed, failed, not_evaluable, pass_rate
    failing: pd.DataFrame  # source, rule, scope, detail
    unmapped: pd.DataFrame  # label, occurrences, reports
    gaps: pd.DataFrame  # agency, first_year, last_year, years, missing
    slowest: pd.DataFrame  # source, file_format, n_pages, seconds
    problems: pd.DataFrame  # source, status, error
    settled: pd.DataFrame  # source, key, value, raw, note: cells settled by neighbouring years
    n_ambiguous: int  # rows of cells left out as ambiguous (before cross-year settling)


def _count(series: pd.Series, name: str, order: tuple[str, ...] = ()) -> pd.DataFrame:
    counts = series.value_counts()
    index = [o for o in order if o in counts.index] + sorted(i for i in counts.index if i not in order)
    return pd.DataFrame({name: index, "documents": [int(counts[i]) for i in index]})


def rule_counts(checks: pd.DataFrame) -> pd.DataFrame:
    """Per rule: checks passed, failed and not evaluable (partial counts can be summed)."""
    passed = checks["passed"]
    counts = pd.DataFrame(
        {
            "rule": checks["rule"],
            "passed": passed.eq(True).fillna(False).astype(int),  # <NA> (not evaluable) counts as neither
            "failed": passed.eq(False).fillna(False).astype(int),
            "n": 1,
        }
    )
    return counts.groupby("rule", sort=True)[["passed", "failed", "n"]].sum().reset_index()


def _rules(counts: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for rule, passed, failed, n in zip(counts["rule"], counts["passed"], counts["failed"], counts["n"], strict=True):
        evaluated = int(passed) + int(failed)
        rows.append(
            {
                "rule": rule,
                "evaluated": evaluated,
                "passed": int(passed),
                "failed": int(failed),
                "not_evaluable": int(n) - evaluated,
                "pass_rate": int(passed) / evaluated if evaluated else None,
            }
        )
    return pd.DataFrame(rows, columns=["rule", "evaluated", "passed", "failed", "not_evaluable", "pass_rate"])


def _gaps(reports: pd.DataFrame) -> pd.DataFrame:
    mine = reports[reports["duplicate_of"].isna() & reports["report_year"].notna()].copy()
    if "agency_key" not in mine or mine["agency_key"].isna().all():
        mine["agency_key"] = mine["agency"].map(agency_key)
    mine = mine[mine["agency_key"].notna()]
    years = mine.groupby("agency_key")["report_year"]
    span = years.transform("max") - years.transform("min") + 1
    mine = mine[span > years.transform("nunique")]  # only agencies with a gap: a loop over all was slow
    rows = []
    for _, grp in mine.groupby("agency_key", sort=True):
        years = sorted({int(y) for y in grp["report_year"]})
        missing = [y for y in range(years[0], years[-1] + 1) if y not in years]
        if missing:
            rows.append(
                {
                    "agency": str(grp["agency"].iloc[0]),
                    "first_year": years[0],
                    "last_year": years[-1],
                    "years": ", ".join(map(str, years)),
                    "missing": ", ".join(map(str, missing)),
                }
            )
    return pd.DataFrame(rows, columns=["agency", "first_year", "last_year", "years", "missing"])


def qa_figures(tables: Mapping[str, pd.DataFrame], counts: pd.DataFrame | None = None) -> QAFigures:
    """Compute the QA figures from the dataset tables (reports, checks, warnings, cells). A caller
    that reads a large dataset in parts gives the summed :func:`rule_counts` as ``counts``; then
    ``checks`` need only hold the failing checks, ``warnings`` the unmapped-label and ambiguity ones,
    ``cells`` the settled ones."""
    reports, checks, warnings = tables["reports"], tables["checks"], tables["warnings"]
    cells = tables.get("cells")
    counts = rule_counts(checks) if counts is None else counts
    failing_checks = checks[checks["passed"].eq(False).fillna(False)]
    unmapped = warnings[warnings["kind"] == "unmapped_label"]
    settled_cells = cells[cells["method"] == RESOLVED_METHOD] if cells is not None else None
    n_ambiguous = int((warnings["kind"] == AMBIGUOUS_KIND).sum())
    source_of = dict(zip(reports["report_id"], reports["source"], strict=False))
    failing = failing_checks.copy()
    failing.insert(0, "source", failing["report_id"].map(source_of))
    failing = failing.sort_values(["source", "rule", "scope"], kind="stable")[["source", "rule", "scope", "detail"]]
    unmapped = (
        unmapped.groupby("message")
        .agg(occurrences=("report_id", "size"), reports=("report_id", "nunique"))
        .reset_index()
        .rename(columns={"message": "label"})
        .sort_values(["occurrences", "reports", "label"], ascending=[False, False, True], kind="stable")
        .reset_index(drop=True)
    )
    by_format = (
        pd.crosstab(reports["file_format"].fillna("?"), reports["status"].fillna("?"))
        .reindex(columns=[s for s in STATUS_ORDER], fill_value=0)
        .reset_index()
    )
    timed = reports[reports["duplicate_of"].isna() & reports["seconds"].notna()]
    slowest = timed.sort_values(["seconds", "source"], ascending=[False, True]).head(SLOWEST_N)
    problems = reports[reports["status"] != Status.OK].sort_values("source")[["source", "status", "error"]]
    settled = pd.DataFrame(columns=["report_id", "key", "value", "raw", "note"])
    if settled_cells is not None:
        settled = settled_cells[["report_id", "key", "value", "raw", "note"]]
    settled = settled.assign(source=settled["report_id"].map(source_of)).sort_values(["source", "key"])
    return QAFigures(
        n_documents=len(reports),
        n_duplicates=int(reports["duplicate_of"].notna().sum()),
        by_status=_count(reports["status"], "status", STATUS_ORDER),
        by_version=_count(reports["format_version"].fillna(NO_VERSION), "format_version", tuple(FormVersion)),
        by_format=by_format,
        rules=_rules(counts),
        failing=failing.reset_index(drop=True),
        unmapped=unmapped,
        gaps=_gaps(reports),
        slowest=slowest[["source", "file_format", "n_pages", "seconds"]].reset_index(drop=True),
        problems=problems.reset_index(drop=True),
        settled=settled[["source", "key", "value", "raw", "note"]].reset_index(drop=True),
        n_ambiguous=n_ambiguous,
    )


def _cell(v: object) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "—"
    text = f"{v:.4g}" if isinstance(v, float) else str(v)
    return text.replace("|", "\\|").replace("\n", " ")


def _table(df: pd.DataFrame, formats: Mapping[str, str] | None = None) -> list[str]:
    if df.empty:
        return ["(none)", ""]
    formats = formats or {}
    lines = ["| " + " | ".join(df.columns) + " |", "|" + "---|" * len(df.columns)]
    for rec in df.to_dict("records"):
        cells = []
        for col in df.columns:
            v = rec[col]
            fmt = formats.get(col)
            cells.append(fmt.format(v) if fmt and v is not None and not pd.isna(v) else _cell(v))
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def render_qa_report(fig: QAFigures) -> str:
    """The QA report as Markdown."""
    lines = [
        "# QA report",
        "",
        f"{fig.n_documents} documents ({fig.n_duplicates} duplicates of another input). Rules R1–R4 are the"
        " form's arithmetic within a report; X0 (the agency's name as printed), X1 (上年结转 = last year's"
        " 结转下年度继续办理), X2 (现行有效件数 carried forward with 制发 and 废止) and X3 (上一年项目数量 carried"
        " forward with 本年增/减, 2019 form) compare an agency's consecutive years (matched on agency_key),"
        " X4 the 历年累计 of legacy statistics tables;"
        " T1 says whether a figure stated in prose (the `facts` table) equals the table cell it restates."
        " See `checks` for every evaluation.",
        "",
        "## Documents by status",
        "",
        *_table(fig.by_status),
        "## Documents by format version",
        "",
        *_table(fig.by_version),
        "## Documents by file format and status",
        "",
        *_table(fig.by_format),
        "## Pass rate per rule",
        "",
        "`pass_rate` = passed / evaluated; a check is not evaluable when an operand is blank, dash or missing.",
        "",
        *_table(fig.rules, {"pass_rate": "{:.1%}"}),
        f"## Failing checks ({len(fig.failing)})",
        "",
        *_table(fig.failing.head(FAILING_CHECKS_MAX)),
    ]
    if len(fig.failing) > FAILING_CHECKS_MAX:
        lines += [f"… and {len(fig.failing) - FAILING_CHECKS_MAX} more in `checks`.", ""]
    lines += [
        f"## Unmapped labels by frequency ({len(fig.unmapped)})",
        "",
        "Row labels inside a standard table that no rule of `rules/data/form.toml` (in legacy reports:"
        " `rules/data/legacy.toml`) maps.",
        "",
        *_table(fig.unmapped.head(UNMAPPED_LABELS_MAX)),
        f"## Agencies with a year missing ({len(fig.gaps)})",
        "",
        "Years between an agency's first and last report in this dataset for which it has no report.",
        "",
        *_table(fig.gaps),
        f"## Cells settled by neighbouring years ({len(fig.settled)})",
        "",
        f"{fig.n_ambiguous} rows of the reports had cells left out because their digits ran together and"
        " could be read several ways; these cells were settled by the same agency's adjacent years"
        " (X1–X3) and the report's prose (`method = cross-year` in `cells`).",
        "",
        *_table(fig.settled.head(FAILING_CHECKS_MAX)),
        f"## Documents not read in full ({len(fig.problems)})",
        "",
        *_table(fig.problems),
        "## Slowest documents",
        "",
        *_table(fig.slowest, {"seconds": "{:.3f}"}),
    ]
    return "\n".join(lines)


def write_qa_report(out_dir: Path, tables: Mapping[str, pd.DataFrame]) -> Path:
    """Write ``OUT_DIR/qa_report.md`` (atomically) and return its path."""
    path = out_dir / QA_REPORT_NAME
    text = render_qa_report(qa_figures(tables))
    atomic_write(path, partial(_write_text, text))
    logger.info("QA report written to %s", path)
    return path


def _write_text(text: str, path: str) -> None:
    Path(path).write_text(text, encoding="utf-8")
