"""govreport: government information-disclosure annual reports to research datasets.

Layers, bottom to top (``docs/ARCHITECTURE.md``; enforced by the import-linter contract in
``pyproject.toml``): ``model``/``errors`` → ``readers`` → ``rules`` → ``pipeline`` → ``dataset`` →
``api`` → ``batch`` → ``cli``. The notebook entry points are exported lazily, so importing a lower
layer (``extractor.model`` from ``rules``) never loads the layers above it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from extractor.api import ReportView, combine, read_report, read_reports

__all__ = ["ReportView", "combine", "read_report", "read_reports"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in __all__:
        from extractor import api

        return getattr(api, name)
    raise AttributeError(f"module 'extractor' has no attribute {name!r}")
