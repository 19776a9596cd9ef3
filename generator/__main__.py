"""`python -m generator` runs the `circulars` command."""

from .cli import main

main(prog_name="circulars")
