"""Command line: ``python -m lstmcore {info,demo}``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="lstmcore", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("info", help="print how the compiled core was built")
    sub.add_parser("demo", help="the adding-problem demo (arrives with a later release)")
    args = parser.parse_args(argv)
    if args.command == "info":
        import lstmcore

        print(json.dumps(lstmcore.build_info(), indent=2))
        return 0
    print("lstmcore demo: not built yet; it arrives with the training-toolkit release.")
    return 2


if __name__ == "__main__":
    sys.exit(main())
