"""Finishing a set of extracted reports as one dataset, in memory: what needs every report at once.

The whole-dataset tables are completed by :func:`extractor.dataset.tables.complete_tables`: who
reported and the preferred report per agency and year, ``same_agency_year`` warnings, cells settled
across years, cross-year checks, the crosswalk with derived totals.
:func:`extractor.batch.finish.finish` adds writing the tables and the QA report;
``extractor.api.combine`` uses this directly. The command line finishes an output folder out of
core (:meth:`extractor.batch.store.DatasetStore.finish`) with :func:`complete_tables` on one bucket
of agencies at a time, which gives the same tables.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import pandas as pd

from extractor.dataset.panel import SAME_AGENCY_YEAR
from extractor.dataset.tables import complete_tables

logger = logging.getLogger(__name__)

__all__ = ["SAME_AGENCY_YEAR", "finish_tables"]


def finish_tables(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The finished tables of a compacted set of reports (idempotent: a rerun recomputes, never
    repeats, what it adds)."""
    return complete_tables(tables)
