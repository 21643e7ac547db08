"""Form version detection (rules/version.py)."""

from __future__ import annotations

from rules.version import detect_version


def test_version_detection():
    assert detect_version(["本年制发件数", "本年废止件数"], 2022, True) == "2021"
    assert detect_version(["本年新制作数量", "对外公开总数量"], 2020, True) == "2019"
    assert detect_version([], 2017, True) == "legacy"
    assert detect_version([], 2022, True) == "2021"
    assert detect_version([], None, False) is None
