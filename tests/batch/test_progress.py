"""Progress without a terminal (issue 12): a log line at intervals even while a long document runs."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

import extractor.cli
from extractor.cli import main
from tests.helpers import slow_html


def test_a_log_line_comes_while_a_slow_document_is_read(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(extractor.cli, "LOG_EVERY_SECONDS", 0.05)
    slow_html(tmp_path / "slow.html", rows=3000)
    res = CliRunner().invoke(main, ["extract", str(tmp_path / "slow.html"), "-o", str(tmp_path / "out"), "-w", "0"])
    assert res.exit_code == 0
    assert "govreport: 0/1 documents, 0 failed, ETA unknown" in res.output
