"""govreport: government information-disclosure annual reports to research datasets."""

from extractor.api import ReportView, read_report

__all__ = ["ReportView", "read_report"]
__version__ = "0.1.0"
