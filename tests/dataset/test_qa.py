"""The QA report that ``govreport extract`` writes beside the dataset: its figures against the tables."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.fixtures.series import YearSpec, build_series
from tests.helpers import REAL, extract_cli


def _sections(text: str) -> dict[str, list[dict[str, str]]]:
    """Heading (without a trailing count) -> the rows of the Markdown table under it."""
    out: dict[str, list[dict[str, str]]] = {}
    for block in text.split("\n## ")[1:]:
        heading, *lines = block.splitlines()
        rows = [ln for ln in lines if ln.startswith("|")]
        name = heading.split(" (")[0]
        if not rows:
            out[name] = []
            continue
        cols = [c.strip() for c in rows[0].strip("|").split("|")]
        out[name] = [dict(zip(cols, (c.strip() for c in r.strip("|").split(" | ")), strict=True)) for r in rows[2:]]
    return out


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[dict[str, str]]], str]:
    root = tmp_path_factory.mktemp("qa")
    inp = root / "in"
    inp.mkdir()
    for name in ("000_xinjiang_yjglt_2019.txt", "004_shanghai_govoffice_2019.html", "012_shanghai_kewei_2024.txt"):
        shutil.copy(REAL / name, inp / name)
    shutil.copy(REAL / "004_shanghai_govoffice_2019.html", inp / "copy_of_004.html")  # a duplicate
    (inp / "junk.html").write_bytes(os.urandom(2048))  # failed
    # one agency over 2020–2023 without 2022 (a gap), with a carried-over number that does not match
    build_series(
        inp,
        "云岭市卫生健康委员会",
        [YearSpec(2020, "2019"), YearSpec(2021, "2021"), YearSpec(2023, "2021")],
        5,
        breaks={(2021, "requests.carried_over_in.total"): 50},
        name="yunling",
    )
    out = root / "out"
    res = extract_cli(str(inp), "-o", str(out), "-q")
    assert res.exit_code == 0, res.output
    text = (out / "qa_report.md").read_text(encoding="utf-8")
    return out, _sections(text), text


def test_documents_by_status_and_version(batch):
    out, sec, text = batch
    reports = pd.read_parquet(out / "reports.parquet")
    assert len(reports) == 8
    assert text.splitlines()[2].startswith("8 documents (1 duplicates of another input).")
    status = {r["status"]: int(r["documents"]) for r in sec["Documents by status"]}
    assert status == reports["status"].value_counts().to_dict() == {"ok": 7, "failed": 1}
    version = {r["format_version"]: int(r["documents"]) for r in sec["Documents by format version"]}
    assert version == {"2019": 4, "2021": 3, "(none)": 1}
    assert version == reports["format_version"].fillna("(none)").value_counts().to_dict()
    problems = sec["Documents not read in full"]
    assert [(r["status"], Path(r["source"]).name) for r in problems] == [("failed", "junk.html")]


def test_pass_rate_per_rule(batch):
    out, sec, _ = batch
    checks = pd.read_parquet(out / "checks.parquet")
    rows = {r["rule"]: r for r in sec["Pass rate per rule"]}
    # T1: 004 and 012 restate 受理/收到申请 in prose (section 一)
    assert set(rows) == set(checks["rule"]) == {"R1", "R2", "R3", "R4", "X0", "X1", "X2", "T1"}
    t1 = checks[checks["rule"] == "T1"]
    assert len(t1) >= 2 and t1["passed"].eq(True).all()
    for rule, grp in checks.groupby("rule"):
        passed = int((grp["passed"] == True).sum())  # noqa: E712
        failed = int((grp["passed"] == False).sum())  # noqa: E712
        r = rows[rule]
        assert (int(r["evaluated"]), int(r["passed"]), int(r["failed"]), int(r["not_evaluable"])) == (
            passed + failed,
            passed,
            failed,
            len(grp) - passed - failed,
        ), rule
        assert r["pass_rate"] == (f"{passed / (passed + failed):.1%}" if passed + failed else "—")
    # the broken 上年结转 of 2021 fails R1 and R3 within the report and X1 against 2020
    assert rows["X1"]["failed"] == "1" and rows["X1"]["evaluated"] == "7"
    # 2020 is a 2019-form report (no 现行有效件数), and 2021→2023 are not consecutive
    assert (rows["X2"]["evaluated"], rows["X2"]["not_evaluable"], rows["X2"]["pass_rate"]) == ("0", "2", "—")


def test_failing_checks_listed(batch):
    out, sec, text = batch
    checks = pd.read_parquet(out / "checks.parquet")
    reports = pd.read_parquet(out / "reports.parquet")
    failing = checks[checks["passed"] == False].merge(reports[["report_id", "source"]])  # noqa: E712
    listed = {(r["source"], r["rule"], r["scope"]) for r in sec["Failing checks"]}
    assert listed == set(zip(failing["source"], failing["rule"], failing["scope"], strict=True))
    assert f"## Failing checks ({len(failing)})" in text
    assert any(
        r["rule"] == "X1" and r["scope"] == "requests.carried_over_in.total 2020→2021" for r in sec["Failing checks"]
    )


def test_unmapped_labels_by_frequency(batch):
    out, sec, _ = batch
    warnings = pd.read_parquet(out / "warnings.parquet")
    unmapped = warnings[warnings["kind"] == "unmapped_label"]["message"].value_counts()
    rows = sec["Unmapped labels by frequency"]
    assert len(rows) == len(unmapped) > 0
    assert {r["label"]: int(r["occurrences"]) for r in rows} == unmapped.to_dict()
    counts = [int(r["occurrences"]) for r in rows]
    assert counts == sorted(counts, reverse=True)


def test_agencies_with_a_year_missing(batch):
    _, sec, _ = batch
    assert sec["Agencies with a year missing"] == [
        {
            "agency": "云岭市卫生健康委员会",
            "first_year": "2020",
            "last_year": "2023",
            "years": "2020, 2021, 2023",
            "missing": "2022",
        }
    ]


def test_slowest_documents(batch):
    out, sec, _ = batch
    reports = pd.read_parquet(out / "reports.parquet")
    timed = reports[reports["duplicate_of"].isna()].sort_values("seconds", ascending=False)
    rows = sec["Slowest documents"]
    assert len(rows) == min(10, len(timed))
    assert rows[0]["source"] == timed["source"].iloc[0]
    assert rows[0]["seconds"] == f"{timed['seconds'].iloc[0]:.3f}"
