"""``python -m gmmcore fit|predict ...``: see :mod:`gmmcore.cli`."""

import sys

from .cli import main

sys.exit(main())
