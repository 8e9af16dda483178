"""`cunjing` (also `python -m bot`): one command line, one module per subcommand in bot/commands/."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence

from bot import commands
from bot.errors import CunjingError, FaqError
from bot.logs import setup_logging

log = logging.getLogger("cunjing")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cunjing", description="村警 Cunjing: anti-fraud and village services")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        if hasattr(module, "add_parser"):
            module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")  # JSON lines are UTF-8 whatever the locale
    args = build_parser().parse_args(argv)
    setup_logging(logging.DEBUG if args.verbose else logging.WARNING)
    try:
        return int(args.run(args) or 0)
    except FaqError as exc:
        print("The FAQ has errors / FAQ 内容有错误:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    except CunjingError as exc:
        print(f"cunjing: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
