"""Every input reaches a row: names that are not UTF-8, and entries that are not regular files
(FIFOs, devices, sockets, dangling or looping links), which are never read."""

from __future__ import annotations

import codecs
import os
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd

from tests.helpers import REAL, ROOT


def govreport(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "extractor", "extract", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,  # an endless input would hang the batch: fail instead of waiting forever
    )


def test_odd_entries_each_get_a_row_saying_what_they_are(tmp_path: Path):
    d = tmp_path / "in"
    d.mkdir()
    report = (REAL / "000_xinjiang_yjglt_2019.txt").read_bytes()
    (d / "good.txt").write_bytes(report)
    bad_name = os.fsdecode(b"\xff\xfe\\report_gbk_\xb1\xa8\xb8\xe6.txt")  # GBK bytes, a backslash
    (d / bad_name).write_bytes(report + b"\n2\n")
    os.mkfifo(d / "pipe.txt")
    os.symlink("/dev/zero", d / "zero.txt")
    os.symlink(d / "nowhere.txt", d / "dangling.txt")
    os.symlink(d / "loop.txt", d / "loop.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(d / "sock.txt"))
    named_fifo = tmp_path / "named.fifo"
    os.mkfifo(named_fifo)
    # another device than zero.txt's: the same file reached twice is one input
    try:
        res = govreport(str(d), str(named_fifo), str(tmp_path / "dev_null"), "-o", str(tmp_path / "out"), "-w", "0")
    finally:
        sock.close()
    assert res.returncode == 2  # a missing input is still a usage error
    os.symlink("/dev/null", tmp_path / "dev_null")
    res = govreport(str(d), str(named_fifo), str(tmp_path / "dev_null"), "-o", str(tmp_path / "out"), "-w", "0")
    assert res.returncode == 0, res.stderr
    reports = pd.read_parquet(tmp_path / "out" / "reports.parquet").set_index("source")  # names are unique here
    escaped = "\\xff\\xfe\\\\report_gbk_\\xb1\\xa8\\xb8\\xe6.txt"
    assert len(reports) == 9, sorted(reports.index)
    assert reports.loc["good.txt", "status"] == "ok"
    assert reports.loc[escaped, "status"] == "ok"  # read, and its name kept escaped ...
    assert codecs.escape_decode(escaped.encode())[0] == os.fsencode(bad_name)  # ... exactly
    assert reports.loc[escaped, "root"] == d.resolve().as_posix()
    errors = reports["error"].to_dict()
    assert errors["pipe.txt"] == "not a regular file but a FIFO (named pipe); not read"
    assert errors["named.fifo"] == "not a regular file but a FIFO (named pipe); not read"
    assert errors["zero.txt"] == "not a regular file but a character device; not read"
    assert errors["dev_null"] == "not a regular file but a character device; not read"
    assert errors["sock.txt"] == "not a regular file but a socket; not read"
    assert "a dangling symbolic link" in errors["dangling.txt"]
    assert "a symbolic link that loops" in errors["loop.txt"]
    assert reports["report_id"].is_unique
    failed = reports[reports["status"] == "failed"]
    assert len(failed) == 7 and failed["error"].notna().all()
    assert "None" not in res.stderr


def test_a_duplicate_of_a_failed_document_says_why(tmp_path: Path):
    d = tmp_path / "in"
    d.mkdir()
    for i in range(5):
        (d / f"empty{i}.txt").write_bytes(b"")
    for i in range(2):
        (d / f"junk{i}.pdf").write_bytes(b"%PDF-1.4\n%broken")
    res = govreport(str(d), "-o", str(tmp_path / "out"), "-w", "0")
    assert res.returncode == 0
    reports = pd.read_parquet(tmp_path / "out" / "reports.parquet").set_index("source")
    assert (reports["status"] == "failed").all()
    assert reports["error"].notna().all(), reports["error"]
    assert reports.loc["empty3.txt", "error"].startswith("same content as empty0.txt: ")
    assert ": None" not in res.stderr


def test_a_document_without_any_report_is_failed_not_ok(tmp_path: Path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "sentence.txt").write_text("今天天气很好，我们去公园散步。\n", encoding="utf-8")
    (d / "page.html").write_text("<html><body><p>欢迎访问本网站。</p><p>联系我们</p></body></html>", encoding="utf-8")
    (d / "report.txt").write_bytes((REAL / "000_xinjiang_yjglt_2019.txt").read_bytes())
    res = govreport(str(d), "-o", str(tmp_path / "out"), "-w", "0")
    assert res.returncode == 0, res.stderr
    reports = pd.read_parquet(tmp_path / "out" / "reports.parquet").set_index("source")
    for name in ("sentence.txt", "page.html"):
        row = reports.loc[name]
        assert row["status"] == "failed"
        assert row["error"].startswith("no annual report found (the ")
    assert reports.loc["report.txt", "status"] == "ok"
