"""Run `python -m playground ...` command lines in a few long-lived worker processes instead of
one fresh process each: every fresh process paid python + torch imports (~3 s here, ~10 s on a
loaded box) before its command did seconds of work. A worker runs the CLI's own `main(argv)`
in the command's folder, with its file descriptors 1 and 2 sent to files, and returns what a
shell would see: the exit status, stdout and stderr (a traceback included, status 1, where the
command raised). The real entry point, `python -m playground`, is started as a user starts it
by tests/test_documented_commands.py and tests/cli/test_cli.py."""
from __future__ import annotations

import multiprocessing
import os
import sys
import tempfile
import traceback
from concurrent.futures import ProcessPoolExecutor

WORKERS = 2  # the CI box's cores; pytest itself waits meanwhile


def run_cli(argv: list[str], cwd: str) -> tuple[int, str, str]:
    """(status, stdout, stderr) of `python -m playground *argv` run in `cwd`, in this process.
    Status as `python -m playground` exits: main's return, SystemExit's code (argparse), or 1
    with the traceback on stderr."""
    from playground.cli import main

    here = os.getcwd()
    saved = {fd: os.dup(fd) for fd in (1, 2)}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        try:
            os.chdir(cwd)
            try:
                status = main(argv)
            except SystemExit as e:
                status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
                if not isinstance(e.code, int | None):
                    print(e.code, file=sys.stderr)
            except BaseException:  # what the interpreter prints for an uncaught exception
                traceback.print_exc()
                status = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)
            os.chdir(here)
        out.seek(0)
        err.seek(0)
        return int(status or 0), out.read(), err.read()


def pool() -> ProcessPoolExecutor:
    """Spawned workers (fork after torch is risky) with this process's environment."""
    return ProcessPoolExecutor(WORKERS, mp_context=multiprocessing.get_context("spawn"))
