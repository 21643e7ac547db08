"""Identity of documents across a batch and across reruns (issue 12): unique report ids, sources
relative to their input root, a file reached twice read once, nothing dropped."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from extractor.cli import main
from tests.helpers import REAL, load


def cli(*args: str):
    return CliRunner().invoke(main, ["extract", *args], catch_exceptions=False)


def _inputs(folder: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(REAL / "000_xinjiang_yjglt_2019.txt", folder / "a.txt")
    shutil.copy(REAL / "000_xinjiang_yjglt_2019.txt", folder / "a_copy.txt")  # same content
    (folder / "sub").mkdir()
    shutil.copy(REAL / "008_pingtan_2022.txt", folder / "sub" / "b.txt")
    return folder


def test_a_file_named_twice_is_one_document_with_its_cells(tmp_path: Path):
    inputs = _inputs(tmp_path / "in")
    out = tmp_path / "out"
    b = inputs / "sub" / "b.txt"
    assert cli(str(inputs), str(b), str(b), "./" + os.path.relpath(b), "-o", str(out), "-w", "0", "-q").exit_code == 0
    t = load(out)
    reports = t["reports"]
    assert len(reports) == 3
    row = reports.set_index("source").loc["sub/b.txt"]
    assert pd.isna(row["duplicate_of"])
    n = (t["cells"]["report_id"] == row["report_id"]).sum()
    assert n == row["n_cells"] == 200


def test_report_id_is_unique_and_cells_join_without_growing(tmp_path: Path):
    inputs = _inputs(tmp_path / "in")
    out = tmp_path / "out"
    assert cli(str(inputs), "-o", str(out), "-w", "0", "-q").exit_code == 0
    t = load(out)
    reports, cells = t["reports"], t["cells"]
    assert reports["report_id"].is_unique
    dup = reports.set_index("source").loc["a_copy.txt"]
    first = reports.set_index("source").loc["a.txt"]
    assert dup["duplicate_of"] == first["report_id"] and dup["content_id"] == first["content_id"]
    assert dup["report_id"] != first["report_id"]
    assert len(cells.merge(reports, on="report_id")) == len(cells)


def test_source_is_relative_to_its_root(tmp_path: Path):
    inputs = _inputs(tmp_path / "in")
    out = tmp_path / "out"
    assert (
        cli(str(inputs), str(REAL / "004_shanghai_govoffice_2019.html"), "-o", str(out), "-w", "0", "-q").exit_code == 0
    )
    reports = load(out)["reports"].set_index("source")
    assert sorted(reports.index) == ["004_shanghai_govoffice_2019.html", "a.txt", "a_copy.txt", "sub/b.txt"]
    assert reports.loc["sub/b.txt", "root"] == inputs.resolve().as_posix()
    assert reports.loc["004_shanghai_govoffice_2019.html", "root"] == REAL.resolve().as_posix()


def test_rerun_by_another_spelling_skips_everything(tmp_path: Path, monkeypatch):
    inputs = _inputs(tmp_path / "in")
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)
    assert cli("in", "-o", str(out), "-w", "0", "-q").exit_code == 0
    before = load(out)["reports"]
    res = cli(str(inputs.resolve()) + "/", "-o", "out", "-w", "0")
    assert res.exit_code == 0
    assert "0 documents processed" in res.output and "3 unchanged and skipped" in res.output
    assert "dataset holds 3 documents" in res.output
    assert "panel: 2 agency-years of 2 agencies" in res.output  # the copy is not preferred
    after = load(out)["reports"]
    pd.testing.assert_frame_equal(
        before.drop(columns=["seconds"]).sort_values("source").reset_index(drop=True),
        after.drop(columns=["seconds"]).sort_values("source").reset_index(drop=True),
    )


def test_two_roots_with_the_same_relative_names_stay_two_documents(tmp_path: Path):
    a, b = tmp_path / "2019", tmp_path / "2022"
    a.mkdir()
    b.mkdir()
    shutil.copy(REAL / "005_pingtan_2019.txt", a / "report.txt")
    shutil.copy(REAL / "008_pingtan_2022.txt", b / "report.txt")
    out = tmp_path / "out"
    assert cli(str(a), str(b), "-o", str(out), "-w", "0", "-q").exit_code == 0
    reports = load(out)["reports"]
    assert list(reports["source"]) == ["report.txt", "report.txt"]
    assert sorted(reports["report_year"]) == [2019, 2022]
