"""Nothing lost whatever happens: a kill at every step of finishing and of a checkpoint, one writer per
output folder, and a restart that never deletes committed data."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from extractor.batch.lock import LOCK_NAME, OutputLock
from extractor.cli import run
from extractor.dataset.write import ALL_TABLES, CRASH_ENV, CRASH_EXIT_CODE, MANIFEST_NAME, _crash_counts, read_manifest
from tests.helpers import ROOT, dataset_rows, make_inputs

MAX_STEPS = 200


def govreport(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "extractor", "extract", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def govreport_forked(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> int:
    """The command in a fork of this process (imports done once: a kill at each of ~50 steps stays
    cheap); returns its exit status."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.environ.update(env or {})
            _crash_counts.clear()
            sys.argv = ["govreport", "extract", *args]
            run()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            os._exit(code)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise TimeoutError(args)


def folder_matches_manifest(out: Path) -> None:
    """Every file the manifest names exists, and the table folders hold nothing else."""
    manifest = read_manifest(out)
    assert manifest is not None and not manifest.pending
    named = manifest.referenced()
    for rel in named:
        assert (out / rel).is_file(), rel
    for name in ALL_TABLES:
        for entry in (out / f"{name}.parquet").iterdir():
            assert f"{name}.parquet/{entry.name}" in named, entry


def _scenario(tmp_path: Path) -> tuple[Path, Path]:
    """An earlier dataset of four documents, then inputs where one changed and two are new."""
    inputs = tmp_path / "in"
    make_inputs(inputs, 4)
    old = tmp_path / "old"
    assert govreport(str(inputs), "-o", str(old), "-w", "0", "-q", "--csv").returncode == 0
    docs = make_inputs(inputs, 6)
    docs[1].write_bytes(docs[1].read_bytes() + "\n附件：修订\n".encode())  # changed: its old rows go
    return inputs, old


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["finish", "append"])
def test_a_kill_at_every_step_leaves_old_or_new_and_the_restart_equals_a_clean_run(tmp_path: Path, phase: str):
    inputs, old = _scenario(tmp_path)
    clean = tmp_path / "clean"
    shutil.copytree(old, clean)
    assert govreport(str(inputs), "-o", str(clean), "-w", "0", "-q", "--csv").returncode == 0
    expected, before = dataset_rows(clean), dataset_rows(old)
    clean_csv = pd.read_csv(clean / "cells.csv").drop(columns=[])
    kills = 0
    for step in range(1, MAX_STEPS):
        out = tmp_path / f"k{step}"
        shutil.copytree(old, out)
        code = govreport_forked(
            str(inputs), "-o", str(out), "-w", "0", "-q", "--csv", env={CRASH_ENV: f"{phase}:{step}"}
        )
        if code == 0:
            break  # no step left to kill at
        assert code == CRASH_EXIT_CODE
        kills += 1
        # what the manifest names is all there: the old dataset or the new one, never a mix
        manifest = read_manifest(out)
        assert manifest is not None
        for rel in manifest.referenced() - {s for s, _ in manifest.pending} - {f for _, f in manifest.pending}:
            assert (out / rel).is_file(), (step, rel)
        assert govreport_forked(str(inputs), "-o", str(out), "-w", "0", "-q", "--csv") == 0
        assert dataset_rows(out) == expected, f"after a kill at {phase} step {step}"
        assert pd.read_csv(out / "cells.csv").shape == clean_csv.shape
        folder_matches_manifest(out)
        shutil.rmtree(out)
    else:
        pytest.fail("the run never finished")
    assert kills >= (10 if phase == "finish" else 5), kills
    assert dataset_rows(old) == before


def test_restart_skips_what_is_committed_and_keeps_its_cells(tmp_path: Path):
    """The reported loss: after a kill at the commit of finishing, the restart deleted every part
    of cells/sections/checks/warnings, skipped every document and exited 0 with 0 cells."""
    inputs = tmp_path / "in"
    make_inputs(inputs, 3)
    out = tmp_path / "out"
    res = govreport(str(inputs), "-o", str(out), "-w", "0", "-q", env={CRASH_ENV: "finish:4"})
    assert res.returncode == CRASH_EXIT_CODE
    assert govreport(str(inputs), "-o", str(out), "-w", "0").returncode == 0
    cells = pd.read_parquet(out / "cells.parquet")
    reports = pd.read_parquet(out / "reports.parquet")
    assert len(reports) == 3 and set(reports["status"]) == {"ok"}
    assert reports["n_cells"].sum() == len(cells) > 100


def test_a_second_writer_exits_2_naming_the_holder(tmp_path: Path):
    inputs = tmp_path / "in"
    make_inputs(inputs, 1)
    out = tmp_path / "out"
    out.mkdir()
    lock = OutputLock(out)
    lock.acquire()
    try:
        res = govreport(str(inputs), "-o", str(out), "-w", "0", "-q")
    finally:
        lock.release()
    assert res.returncode == 2
    assert f"pid {os.getpid()}" in res.stderr and socket.gethostname() in res.stderr
    assert not (out / MANIFEST_NAME).exists()  # it wrote nothing
    assert govreport(str(inputs), "-o", str(out), "-w", "0", "-q").returncode == 0  # released: next run goes


def test_a_stale_lock_is_taken_over_with_a_warning(tmp_path: Path):
    inputs = tmp_path / "in"
    make_inputs(inputs, 1)
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    holder = {"pid": dead.pid, "host": socket.gethostname(), "started": 0}
    (out / LOCK_NAME).write_text(json.dumps(holder))
    res = govreport(str(inputs), "-o", str(out), "-w", "0")
    assert res.returncode == 0, res.stderr
    assert "taking over a stale lock" in res.stderr and f"pid {dead.pid}" in res.stderr
    assert len(pd.read_parquet(out / "reports.parquet")) == 1


def test_two_concurrent_runs_lose_nothing(tmp_path: Path):
    """One of two simultaneous runs into one folder is refused (exit 2) instead of both reporting
    success while documents went missing; the other's dataset is whole."""
    inputs = tmp_path / "in"
    make_inputs(inputs, 8)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "extractor", "extract", str(inputs), "-o", str(out), "-w", "0", "-q"]
    procs = [subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    codes = sorted(p.wait(timeout=300) for p in procs)
    stderr = "".join(p.stderr.read() for p in procs if p.stderr)
    assert codes in ([0, 2], [0, 0]), stderr  # [0, 0]: the second started after the first ended
    if codes == [0, 2]:
        assert "is in use by govreport pid" in stderr
    assert govreport(str(inputs), "-o", str(out), "-w", "0", "-q").returncode == 0
    reports = pd.read_parquet(out / "reports.parquet")
    assert len(reports) == 8 and set(reports["status"]) == {"ok"}
    assert reports["n_cells"].sum() == len(pd.read_parquet(out / "cells.parquet"))
