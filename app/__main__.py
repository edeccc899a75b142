"""``python -m app …``: the command line (see app/cli.py)."""

from .cli import main

raise SystemExit(main())
