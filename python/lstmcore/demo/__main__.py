"""``python -m lstmcore.demo``: the demo alone (same options as ``python -m lstmcore demo``)."""

import sys

from .cli import main

sys.exit(main())
