"""``python -m reframe``: the same command line as ``reframe``."""

from .cli import main

main()
