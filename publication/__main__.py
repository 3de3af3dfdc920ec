"""`python -m publication`: the command line, on the project in the current folder."""

import sys

from publication.cli import main

sys.exit(main())
