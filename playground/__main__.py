"""`python -m playground` entry point."""
import sys

from playground.cli import main

sys.exit(main())
