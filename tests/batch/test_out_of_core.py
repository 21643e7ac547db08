"""The store's out-of-core finish (by bucket of agencies, only what changed) gives exactly the dataset
that the in-memory finish gives for the same rows: on a store of several chunks, after a rerun that
supersedes documents and adds others to old and new agencies, and after reruns that grow a bucket
past its part limit."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from extractor.batch import store as store_module
from extractor.batch.finish import finish
from extractor.batch.store import DatasetStore, group_keys
from extractor.dataset.finish import finish_tables
from extractor.dataset.panel import add_agencies
from extractor.dataset.qa import QA_REPORT_NAME
from extractor.dataset.tables import COLUMNS, ROW_TABLES, extraction_tables
from extractor.dataset.write import Manifest, commit, ensure_every_table, read_manifest, stage_dataset
from extractor.pipeline import extract_file
from tests.helpers import REAL, dataset_rows

TEMPLATES = (
    "000_xinjiang_yjglt_2019.txt",
    "005_pingtan_2019.txt",
    "008_pingtan_2022.txt",
    "012_shanghai_kewei_2024.txt",
)


@pytest.fixture(scope="module")
def templates() -> dict[str, pd.DataFrame]:
    return extraction_tables([extract_file(REAL / name) for name in TEMPLATES])


def documents(tpl: dict[str, pd.DataFrame], specs: list[tuple[int, str, str, int]]) -> dict[str, pd.DataFrame]:
    """One chunk: per spec (template, source, agency as printed, year) the template's rows under a
    new report id (the source's name and the agency make it)."""
    reports, rows = [], {name: [] for name in ROW_TABLES}
    for i, source, agency, year in specs:
        row = tpl["reports"].iloc[[i]].copy()
        old_id = row["report_id"].iloc[0]
        rid = hashlib.sha256(f"{source}|{agency}|{year}|{i}".encode()).hexdigest()[:16]
        row["report_id"], row["content_id"], row["source"] = rid, rid, source
        row["root"], row["agency"], row["report_year"] = "/in", agency, year
        reports.append(row)
        for name in ROW_TABLES:
            mine = tpl[name][tpl[name]["report_id"] == old_id].copy()
            mine["report_id"] = rid
            rows[name].append(mine)
    out = {name: pd.concat(rows[name], ignore_index=True).astype(COLUMNS[name]) for name in ROW_TABLES}
    out["reports"] = pd.concat(reports, ignore_index=True).astype(COLUMNS["reports"])
    return out


def duplicate(chunk: dict[str, pd.DataFrame], source: str) -> dict[str, pd.DataFrame]:
    """``chunk`` with a copy of its first document found at ``source`` (a reports row only)."""
    first = chunk["reports"].iloc[[0]].copy()
    first["duplicate_of"] = first["report_id"]
    first["report_id"] = first["report_id"] + "-copy"
    first["source"] = source
    return {**chunk, "reports": pd.concat([chunk["reports"], first], ignore_index=True)}


def finished_equal_in_memory(out: Path, tmp_path: Path, tag: str) -> None:
    """Finish the store out of core and compare with the in-memory finish of its compacted rows."""
    with DatasetStore(out) as store:
        compacted = store.compacted_tables()
        store.finish(csv=True)
    ref = tmp_path / f"ref-{tag}"
    finish(compacted, ref)
    assert dataset_rows(out) == dataset_rows(ref)
    assert (out / QA_REPORT_NAME).read_text() == (ref / QA_REPORT_NAME).read_text()
    csv = pd.read_csv(out / "cells.csv")
    assert len(csv) == len(pd.read_parquet(out / "cells.parquet"))


PINGTAN = "平潭综合实验区管理委员会"  # a division with several bodies (X0 compares bodies of one division)


def test_out_of_core_finish_and_reruns_equal_the_in_memory_finish(
    templates: dict[str, pd.DataFrame], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(store_module, "DOCS_PER_BUCKET", 5)  # 4 buckets: several groups share one
    monkeypatch.setattr(store_module, "MAX_BUCKET_PARTS", 2)
    tpl = templates
    out = tmp_path / "out"
    agencies = [
        f"{PINGTAN}办公室",
        f"{PINGTAN}财政金融局",
        "上海市科学技术委员会",
        "新疆维吾尔自治区应急管理厅",
        "某某局",
    ]
    chunks = [
        [(k % 4, f"a{k:02d}.txt", agencies[k % 5], 2019 + k // 5) for k in range(0, 8)],
        [(k % 4, f"a{k:02d}.txt", agencies[k % 5], 2019 + k // 5) for k in range(8, 15)],
        [(1, "same-year.txt", agencies[0], 2019), (3, "no-agency.txt", "", 2021)],
    ]
    with DatasetStore(out) as store:
        for i, specs in enumerate(chunks):
            chunk = documents(tpl, specs)
            store.append_frames(duplicate(chunk, f"copy{i}.txt") if i == 1 else chunk)
    finished_equal_in_memory(out, tmp_path, "first")
    reports = pd.read_parquet(out / "reports.parquet")
    assert len(reports) == 18 and reports["duplicate_of"].notna().sum() == 1
    assert (pd.read_parquet(out / "warnings.parquet")["kind"] == "same_agency_year").sum() == 2
    assert pd.read_parquet(out / "checks.parquet")["rule"].isin(["X0", "X1"]).any()

    # a rerun: a changed document (same location, other rows), a later year of an old agency, a new agency
    changed = documents(
        tpl,
        [
            (2, "a03.txt", agencies[3], 2019),
            (0, "later.txt", agencies[1], 2023),
            (3, "new.txt", "上海市教育委员会", 2022),
        ],
    )
    with DatasetStore(out) as store:
        before = store.reports()
        store.append_frames(changed)
    finished_equal_in_memory(out, tmp_path, "rerun")
    after = pd.read_parquet(out / "reports.parquet")
    assert len(after) == 20
    replaced = before.loc[before["source"] == "a03.txt", "report_id"].iloc[0]
    assert replaced not in set(pd.read_parquet(out / "cells.parquet")["report_id"])

    # new agencies only, rerun after rerun: parts are added beside a bucket's, then merged
    for k in range(4):
        if k == 3:  # the documents per bucket change: every group is finished again, in 32 buckets
            monkeypatch.setattr(store_module, "DOCS_PER_BUCKET", 1)
        with DatasetStore(out) as store:
            store.append_frames(documents(tpl, [(k % 4, f"more{k}.txt", f"某某{k}局", 2020)]))
        finished_equal_in_memory(out, tmp_path, f"more{k}")
        if k == 2:  # new groups only: parts were added beside a bucket's, then merged
            parts = read_manifest(out).tables["cells"]
            per_bucket = pd.Series([p.bucket for p in parts]).value_counts()
            assert per_bucket.max() == 2 and max(p.bucket for p in parts) < 4
    assert read_manifest(out).finish.startswith("32:")


def test_groups_follow_division_then_agency_and_duplicates_their_original(templates: dict[str, pd.DataFrame]):
    chunk = duplicate(
        documents(templates, [(0, "a.txt", f"{PINGTAN}办公室", 2019), (1, "b.txt", f"{PINGTAN}财政金融局", 2019)]),
        "c.txt",
    )
    other = documents(templates, [(2, "d.txt", "某某局", 2020)])["reports"]
    reports = add_agencies(pd.concat([chunk["reports"], other], ignore_index=True))
    groups = group_keys(reports).tolist()
    code = reports["division_code"].iloc[0]
    assert groups[:3] == [f"div:{code}"] * 3  # one division; the copy goes with its original
    assert groups[3] == "key:" + reports["agency_key"].iloc[3]


def test_a_dataset_finished_whole_by_an_earlier_version_is_taken_over(
    templates: dict[str, pd.DataFrame], tmp_path: Path
):
    """A folder whose finished tables are one part each without buckets (as the in-memory finish
    wrote them) is finished again whole on the next run, to the same dataset."""
    out = tmp_path / "out"
    agencies = [f"{PINGTAN}办公室", "上海市科学技术委员会", "某某局"]
    with DatasetStore(out) as store:
        store.append_frames(
            documents(templates, [(k % 4, f"a{k}.txt", agencies[k % 3], 2019 + k // 3) for k in range(6)])
        )
        earlier = Manifest(generation=store.manifest.generation)
        stage_dataset(out, earlier, finish_tables(store.compacted_tables()), "earlier")
        ensure_every_table(out, earlier, "earlier")
        commit(out, earlier)
    assert read_manifest(out).tables["cells"][0].bucket is None
    with DatasetStore(out) as store:
        store.append_frames(documents(templates, [(1, "b.txt", agencies[1], 2022)]))
    finished_equal_in_memory(out, tmp_path, "taken-over")
    assert len(pd.read_parquet(out / "reports.parquet")) == 7
    assert all(p.bucket is not None for p in read_manifest(out).tables["cells"])
