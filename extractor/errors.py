"""Errors a person can act on. Readers raise these; the batch turns them into ``failed`` rows."""

from __future__ import annotations


class ExtractionError(Exception):
    """A document could not be read. The message says why and, where possible, what to do."""


class UnsupportedFormatError(ExtractionError):
    """The content is not a format govreport reads."""


class DependencyMissingError(ExtractionError):
    """A reader needs a program or package that is not installed."""
