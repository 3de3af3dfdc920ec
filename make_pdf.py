#!/usr/bin/env python3
"""The command line, from a checkout: `python make_pdf.py --help` (installed: `make-pdf`)."""

import sys
from pathlib import Path

from publication.cli import main

if __name__ == "__main__":
    sys.exit(main(root=Path(__file__).resolve().parent, prog="make_pdf.py"))
