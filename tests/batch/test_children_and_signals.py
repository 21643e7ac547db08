"""Children die with their worker (no LibreOffice outlives a timed-out document, no temporary folder
stays behind); Ctrl-C and a full disk end with one clear line and their documented exit codes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from extractor.cli import EXIT_DISK_FULL, EXIT_INTERRUPTED
from tests.helpers import ROOT, make_inputs, slow_html


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if text in args and "pytest" not in args:
            found.append(args)
    return found


@pytest.mark.slow
@pytest.mark.libreoffice
def test_no_soffice_outlives_a_timed_out_document(tmp_path: Path, request: pytest.FixtureRequest):
    inputs = tmp_path / "in"
    inputs.mkdir()
    # a short TMPDIR: the forkserver's socket lives there, and AF_UNIX paths are limited to 108 bytes
    # (pytest-xdist's tmp_path is too long)
    scratch = Path(tempfile.mkdtemp(prefix="gr-"))
    request.addfinalizer(lambda: shutil.rmtree(scratch, ignore_errors=True))
    for name in ("gen_qingshan_2020.doc", "gen_yunling_2023.doc"):
        shutil.copy(ROOT / "samples" / name, inputs / name)
    limits = ["-w", "1", "--timeout", "0.5", "-q"]
    res = subprocess.run(
        [sys.executable, "-m", "extractor", "extract", str(inputs), "-o", str(tmp_path / "out"), *limits],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(scratch)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    reports = pd.read_parquet(tmp_path / "out" / "reports.parquet")
    assert reports["error"].str.startswith("stopped after 0.5 s").all()  # the time limit did hit them
    time.sleep(1.0)
    assert _processes_mentioning(str(scratch)) == []  # before: soffice.bin kept converting at 100% CPU
    assert sorted(p.name for p in scratch.glob("govreport-*")) == []
    assert sorted(p.name for p in scratch.glob("lu*.tmp")) == []  # LibreOffice's own, in its profile


@pytest.mark.slow
def test_ctrl_c_exits_130_with_one_line_and_keeps_what_is_done(tmp_path: Path):
    inputs = tmp_path / "in"
    make_inputs(inputs, 3)
    for i in range(4):
        slow_html(inputs / f"slow{i}.html", rows=40000)
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "extractor", "extract", str(inputs), "-o", str(out), "-w", "1", "--checkpoint", "1"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (out / "manifest.json").exists():
        time.sleep(0.2)  # the first checkpoint is committed
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal sends it: to the whole foreground group
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_INTERRUPTED, stderr
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert lines == ["govreport: interrupted; rerun the same command to go on where it stopped"], stderr
    assert _processes_mentioning(str(inputs)) == []  # the workers are gone too
    rerun = subprocess.run(
        [sys.executable, "-m", "extractor", "extract", str(inputs), "-o", str(out), "-w", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert rerun.returncode == 0 and "unchanged and skipped" in rerun.stderr
    assert len(pd.read_parquet(out / "reports.parquet")) == 7


@pytest.fixture()
def tiny_disk(tmp_path: Path):
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {made.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_exits_3_with_one_line_and_a_rerun_finishes(tmp_path: Path, tiny_disk: Path):
    inputs = tmp_path / "in"
    make_inputs(inputs, 4)
    out = tiny_disk / "out"
    cmd = [sys.executable, "-m", "extractor", "extract", str(inputs), "-o", str(out), "-w", "0"]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == EXIT_DISK_FULL, res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("govreport: the disk is full"), res.stderr
    subprocess.run(["mount", "-o", "remount,size=8m", str(tiny_disk)], check=True)
    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    reports = pd.read_parquet(out / "reports.parquet")
    assert len(reports) == 4 and set(reports["status"]) == {"ok"}
