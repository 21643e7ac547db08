"""``python -m extractor`` is the ``govreport`` command."""

from extractor.cli import run

if __name__ == "__main__":
    run()
