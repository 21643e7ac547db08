"""The notebooks run top to bottom (nbclient, kernel ``python3``) against the dataset made from
``samples/``; the committed notebooks carry no outputs."""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from tests.helpers import ROOT, extract_cli

NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT_S = 120
BUILD_WAIT_S = 600
DONE, FAILED = ".done", ".failed"


def _build_samples_dataset(out: Path) -> None:
    res = extract_cli(str(ROOT / "samples"), "-o", str(out), "-q")
    assert res.exit_code == 0, res.output


@pytest.fixture(scope="module")
def samples_dataset(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The dataset made from samples/, built once per test session even under pytest-xdist: the
    first worker to get here builds it in the session's shared temp folder, the others wait."""
    if worker_id == "master":
        out = tmp_path_factory.mktemp("samples") / "out"
        _build_samples_dataset(out)
        return out
    shared = tmp_path_factory.getbasetemp().parent / "samples_dataset"
    try:
        (shared.parent / "samples_dataset.building").mkdir()  # atomic: exactly one worker wins
    except FileExistsError:
        deadline = time.monotonic() + BUILD_WAIT_S
        while not (shared / DONE).exists():
            assert not (shared / FAILED).exists(), "building the samples dataset failed in another worker"
            assert time.monotonic() < deadline, "timed out waiting for another worker to build the samples dataset"
            time.sleep(0.2)
        return shared
    try:
        _build_samples_dataset(shared)
    except BaseException:
        shared.mkdir(parents=True, exist_ok=True)
        (shared / FAILED).touch()
        raise
    (shared / DONE).touch()
    return shared


def run_notebook(name: str, dataset: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> nbformat.NotebookNode:
    """Execute ``notebooks/<name>`` in a fresh kernel that reads ``dataset``; raises on any cell error."""
    monkeypatch.setenv("GOVREPORT_DATASET", str(dataset))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the kernel imports this tree's extractor
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()
    return nb


def _outputs(nb: nbformat.NotebookNode) -> list[dict]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def _images(nb: nbformat.NotebookNode) -> int:
    return sum("image/png" in o.get("data", {}) for o in _outputs(nb))


def _html(nb: nbformat.NotebookNode) -> str:
    """Rich outputs (HTML and Markdown) of all cells, as one text."""
    data = [o.get("data", {}) for o in _outputs(nb)]
    return "\n".join(d.get("text/html", "") + d.get("text/markdown", "") for d in data)


def _stdout(nb: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in _outputs(nb) if o.get("output_type") == "stream")


@pytest.mark.slow
def test_samples_dataset_has_both_forms_every_format_and_consecutive_years(samples_dataset: Path):
    reports = pd.read_parquet(samples_dataset / "reports.parquet")
    assert not reports["source"].str.endswith("README.md").any()
    assert (reports["status"] == "ok").all(), reports[["source", "status", "error"]]
    assert set(reports["file_format"]) == {"text", "html", "pdf", "docx", "doc", "wps", "image"}
    scan = reports[reports["file_format"] == "image"]  # the OCR path: a degraded scan of a 2021 page
    assert list(scan["format_version"]) == ["2021"] and int(scan["n_cells"].iloc[0]) > 100
    for fmt in ("doc", "wps"):
        assert set(reports.loc[reports["file_format"] == fmt, "format_version"]) == {"2019", "2021"}, fmt
    for fmt in ("html", "pdf", "docx"):  # legacy samples (2016–2018) in these three
        assert set(reports.loc[reports["file_format"] == fmt, "format_version"]) == {"2019", "2021", "legacy"}, fmt
    years = reports[reports["agency"] == "云岭市卫生健康委员会"]["report_year"].tolist()
    assert sorted(years) == [2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023]
    x = pd.read_parquet(samples_dataset / "checks.parquet")
    assert (x["rule"] == "X1").sum() == 7 * 7  # 云岭 2019→…→2023 (4 pairs) and 临江 2019→…→2022 (3)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("report", "expect"),
    [
        ("gen_yunling_2021.pdf", "pdf"),
        ("gen_qingshan_2020.doc", "failing"),
    ],
)
def test_spot_check_runs(samples_dataset: Path, monkeypatch: pytest.MonkeyPatch, report: str, expect: str):
    nb = run_notebook("spot_check.ipynb", samples_dataset, monkeypatch, GOVREPORT_REPORT=report)
    html = _html(nb)
    assert "三、收到和处理政府信息公开申请情况" in html and "行政诉讼 · 复议后起诉" in html
    cells = pd.read_parquet(samples_dataset / "cells.parquet")
    reports = pd.read_parquet(samples_dataset / "reports.parquet")
    rid = reports.loc[reports["source"].str.endswith(report), "report_id"].iloc[0]
    mine = cells[cells["report_id"] == rid]
    if expect == "pdf":  # one page image per page holding cells, each with its bboxes drawn
        assert _images(nb) == mine["page"].nunique() >= 2
    else:  # R4 fails on 行政复议: its five cells highlighted in the form view and the raw cells
        assert "No failing check." not in html
        assert "admin_review" in html and "#f4a6a6" in html
        assert "0 unmapped labels" in _stdout(nb)


@pytest.mark.slow
def test_explore_runs(samples_dataset: Path, monkeypatch: pytest.MonkeyPatch):
    nb = run_notebook("explore.ipynb", samples_dataset, monkeypatch)
    out = _stdout(nb)
    assert "22 documents, 22 in the panel; 7 agencies; years 2016 – 2024" in out
    assert "12 row totals printed blank are derived, in 2 reports" in out
    assert "points from prose: " in out and "points from prose: 0 " not in out
    from matplotlib import font_manager

    if any(f.name.startswith("Noto Sans CJK") for f in font_manager.fontManager.ttflist):
        assert "font: Noto Sans CJK" in out  # fonts-noto-cjk, installed by scripts/bootstrap.sh as root
    else:  # the notebook still runs, and says why its Chinese labels will not render
        assert ("No CJK font found" in out) == ("font: None" in out)
    assert _images(nb) == 5  # … and one agency's series across the form changes


@pytest.mark.parametrize("name", ["spot_check.ipynb", "explore.ipynb"])
def test_committed_notebooks_have_no_outputs(name: str):
    nb = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code and all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
