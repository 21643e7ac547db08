"""Finishing a dataset after its documents are extracted, the same way on every path.

compact (the caller's: the store's compacted parts, or a batch held in memory) → flag documents
that share an agency and year → complete the tables that need the whole batch (cells settled across
years, cross-year checks, crosswalk) → write the tables and the QA report (when there is an output
folder). :func:`extractor.batch.run.extract_tables` finishes here; the in-memory part is
:func:`extractor.dataset.finish.finish_tables`, which ``extractor.api.combine`` uses too. The command
line (local and Dask engines) finishes an output folder out of core with
:meth:`extractor.batch.store.DatasetStore.finish`, which calls the same functions on what each needs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from extractor.dataset.finish import finish_tables
from extractor.dataset.qa import write_qa_report
from extractor.dataset.write import write_dataset

logger = logging.getLogger(__name__)


def finish(
    tables: Mapping[str, pd.DataFrame], out_dir: Path | None = None, csv: bool = False
) -> dict[str, pd.DataFrame]:
    """The finished tables of a compacted dataset; written to ``out_dir`` (with ``qa_report.md``,
    and CSVs when ``csv``) when one is given."""
    done = finish_tables(tables)
    if out_dir is not None:
        write_dataset(out_dir, done, csv=csv)
        write_qa_report(out_dir, done)
        logger.info("dataset finished in %s", out_dir)
    return done
