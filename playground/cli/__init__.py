"""`python -m playground ...`: the headless driver of the same engine the app uses.

Subcommands are a registry: each module in COMMAND_MODULES (one per command, or per family:
`theory` holds the three WGAN figures, `mnist` the digits and their classifier) calls
`command(...)` to add its own when `main` imports it; their order is `--help`'s. Errors in user
input print one line naming the problem and exit with status 2.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from dataclasses import dataclass

from playground.cli import device
from playground.registry import Registry


@dataclass(frozen=True)
class Command:
    help: str
    add_args: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int | None]


COMMANDS: Registry[Command] = Registry("command")
# The modules that register commands when imported, in the order `--help` lists them.
COMMAND_MODULES: tuple[str, ...] = tuple(f"playground.cli.{name}" for name in (
    "presets", "train", "sample", "table", "reproduce", "pretrained", "bench", "theory", "mnist",
    "latent"))


def command(name: str, help: str, add_args: Callable, run: Callable) -> None:
    COMMANDS.add(name, Command(help, add_args, run))


class UserError(Exception):
    """Bad input from the command line: printed as one line, exit status 2."""


# ---- entry ---------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    for name in COMMAND_MODULES:
        importlib.import_module(name)
    parser = argparse.ArgumentParser(prog="python -m playground",
                                     description="GAN Playground, headless.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # module order, whichever module was imported first (registration order within one)
    for name, cmd in sorted(COMMANDS.items(),
                            key=lambda item: COMMAND_MODULES.index(item[1].run.__module__)):
        cmd.add_args(p := sub.add_parser(name, help=cmd.help, description=cmd.help))
        if name in device.BUILDS_RUNS:
            device.add_arg(p)
    args = parser.parse_args(argv)
    try:
        with device.chosen(args):
            return COMMANDS.get(args.command).run(args) or 0
    except (UserError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # e.g. an output folder that cannot be made: say which, no traceback
        print(f"error: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return 2
