"""Detection models shipped with reframe (see README.md in this folder)."""
