"""`cunjing` (also `python -m bot`): one command line, one module per subcommand in bot/commands/."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
from collections.abc import Sequence

from bot import commands, paths
from bot.errors import CunjingError, FaqError
from bot.logs import setup_logging
from bot.settings import load_settings

log = logging.getLogger("cunjing")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every subcommand, or of `only` one (so `cunjing match` imports no database code)."""
    parser = argparse.ArgumentParser(prog="cunjing", description="村警 Cunjing: anti-fraud and village services")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    parser.add_argument("--version", action="version", version=f"cunjing {paths.version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    names = sorted(m.name for m in pkgutil.iter_modules(commands.__path__))
    for name in [only] if only in names else names:
        module = importlib.import_module(f"{commands.__name__}.{name}")
        if hasattr(module, "add_parser"):
            module.add_parser(sub)
    return parser


def _command(argv: Sequence[str]) -> str | None:
    """The subcommand named on the command line (the first word that is not an option)."""
    return next((a for a in argv if not a.startswith("-")), None)


def _log_level(args: argparse.Namespace) -> int:
    """-v: debug. A service (`set_defaults(service=True)`: run, kiosk) logs at app.log_level for its
    journal; any other command warnings only, so its stdout is the answer and stderr stays quiet."""
    if args.verbose:
        return logging.DEBUG
    if getattr(args, "service", False):
        return logging.getLevelNamesMapping()[load_settings().app.log_level.upper()]
    return logging.WARNING


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")  # JSON lines are UTF-8 whatever the locale
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--version"]:  # without importing every subcommand (seconds)
        print(f"cunjing {paths.version()}")
        return 0
    args = build_parser(_command(argv)).parse_args(argv)
    try:
        setup_logging(_log_level(args), load_settings().app.log_format if getattr(args, "service", False) else "text")
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
