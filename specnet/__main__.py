"""`python -m specnet ...` is the `specnet` command."""
from specnet.commands.cli import main

main()
