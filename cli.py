"""Run the command line from a checkout: ``python cli.py ...``.

The command line lives in :mod:`reframe.cli`; installed, it is the
``reframe`` command and ``python -m reframe``.
"""

from reframe.cli import main

if __name__ == "__main__":
    main()
