"""Typed job commands: one table per job kind (tasks.py), one row per command, naming the job's
method it calls, whether it is read-only and how a parked job answers it.

The server's clients (clients.py) name a command by the job's method itself
(`self.call(RunJob.update, cfg)`), so a reader or an IDE follows a slider from the page to
`RunJob.update` and on to `Run.update_config`; a method that is not a row of its job's table
is refused before anything is sent. Over the pipe a command travels as its row's name, and
the host (worker.py) calls the row of the hosted job's table, never `getattr` on a string.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Command:
    method: Callable  # the job's method, called as method(job, *args) in the host
    read_only: bool = False  # answers without changing the job: no new picture, no new save
    # how a parked job answers it in the server, from its parked data: parked(data, *args);
    # None: the job is loaded on the pool's quick host, runs it there and is parked again
    parked: Callable[..., Any] | None = None

    @property
    def name(self) -> str:
        return self.method.__name__


class Table:
    """The commands of one job kind, by name (the host's side) and by method (the client's)."""

    def __init__(self, *rows: Command):
        self._rows = {row.name: row for row in rows}
        if len(self._rows) != len(rows):
            raise ValueError("two commands of one job share a name")

    def __getitem__(self, name: str) -> Command:
        try:
            return self._rows[name]
        except KeyError:
            raise ValueError(f"this job has no command {name!r}; its commands: "
                             f"{', '.join(self._rows)}") from None

    def __iter__(self) -> Iterator[Command]:
        return iter(self._rows.values())

    def of(self, method: Callable) -> Command:
        """The row that calls `method` (ValueError if it is not a command of this job)."""
        row = self._rows.get(getattr(method, "__name__", ""))
        if row is None or row.method is not method:
            raise ValueError(f"{getattr(method, '__qualname__', method)!r} is not a command "
                             "of this job")
        return row
