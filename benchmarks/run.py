"""The benchmark (the same as ``python -m lstmcore bench``; see ``--help``)."""

import sys

from lstmcore.bench import main

if __name__ == "__main__":
    sys.exit(main())
