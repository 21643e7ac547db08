"""Names and numbers every rule shares: the form versions, the units, the arithmetic tolerance."""

from __future__ import annotations

from enum import StrEnum


class FormVersion(StrEnum):
    """Which national form a report follows (the ``format_version`` column)."""

    V2019 = "2019"  # the trial form of 2019 (reports on 2019 and 2020)
    V2021 = "2021"  # the form of 2021 (reports on 2021 onwards)
    LEGACY = "legacy"  # before the standard form: reports on 2008–2018


# The versions whose tables rules/data/schema.json describes cell by cell.
VERSIONS = (FormVersion.V2019, FormVersion.V2021)

AMOUNT_UNIT = "万元"  # the unit of every money cell of the form
COUNT_UNIT = "件"  # the unit of most count cells (a repaired count must stay a whole number)
YUAN_PER_AMOUNT_UNIT = 10000.0  # 1 万元 = 10000 元
YUAN = 1.0  # the factor of a table whose header says 单位：元

TOLERANCE = 1e-6  # two sums closer than this are equal (amounts are rounded to 6 decimals)
