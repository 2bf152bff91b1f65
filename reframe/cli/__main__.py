"""``python -m reframe.cli``: the same command line as ``reframe``."""

from . import main

main()
