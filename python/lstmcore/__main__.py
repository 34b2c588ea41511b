"""Command line: ``python -m lstmcore {info,demo,bench}`` (also the ``lstmcore`` console script)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional


def _info(args: argparse.Namespace) -> int:
    import lstmcore

    print(json.dumps(lstmcore.build_info(), indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The ``lstmcore`` parser; each subcommand sets ``handler(args) -> exit code``."""
    from .bench.cli import add_parser as add_bench
    from .demo.cli import add_parser as add_demo

    parser = argparse.ArgumentParser(prog="lstmcore", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("info", help="print how the compiled core was built").set_defaults(
        handler=_info)
    add_demo(sub)
    add_bench(sub)
    # Further subcommands register here the same way: add_parser(...).set_defaults(handler=...).
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
