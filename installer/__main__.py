"""`python -m installer` runs the command line."""

from installer.cli.main import main

raise SystemExit(main())
