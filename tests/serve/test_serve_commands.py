"""Typed job commands (issue 18, seam 2): one table per job kind, rows naming the job's own
methods; the clients call only rows of their job's table, every row has a caller, and the
host dispatches through the table (an unknown name is refused with the valid ones)."""
import ast
import inspect

import pytest

from playground.config import RunConfig
from playground.serve import clients, tasks
from playground.serve.worker import Loop, Pace

CLIENT_JOBS = {clients.Trainer: tasks.RunJob, clients.Comparer: tasks.CompareJob,
               clients.TheoryWorker: tasks.TheoryJob}
SMALL = RunConfig(width=16, depth=1, batch_size=32, n_fixed=64, grid_res=20)


def _called_methods(client: type) -> list:
    """The job methods `client`'s own code passes to `self.call(...)`, resolved."""
    tree = ast.parse(inspect.getsource(client))
    out = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "call"):
            target = node.args[0]
            assert isinstance(target, ast.Attribute), ast.unparse(node)  # RunJob.update
            out.append(getattr(getattr(tasks, target.value.id), target.attr))
    return out


def test_every_row_calls_its_jobs_own_method():
    for job in CLIENT_JOBS.values():
        rows = list(job.COMMANDS)
        assert rows
        for row in rows:
            assert getattr(job, row.name) is row.method
            assert job.COMMANDS[row.name] is row and job.COMMANDS.of(row.method) is row
            if row.parked is not None:
                assert row.read_only  # a parked answer changes nothing


def test_the_clients_and_the_tables_agree():
    """Each client calls only rows of its job's table, and each row has a caller."""
    for client, job in CLIENT_JOBS.items():
        assert client.COMMANDS is job.COMMANDS
        called = {job.COMMANDS.of(m).name for m in _called_methods(client)}
        assert called == {row.name for row in job.COMMANDS}, client.__name__


def test_a_method_outside_the_table_is_refused_before_anything_is_sent():
    with pytest.raises(ValueError, match="not a command"):
        tasks.RunJob.COMMANDS.of(tasks.RunJob.advance)
    with pytest.raises(ValueError, match="not a command"):
        tasks.RunJob.COMMANDS.of(tasks.CompareJob.step)  # same name, another job's
    with pytest.raises(ValueError, match="no command 'nope'.*step, update"):
        tasks.RunJob.COMMANDS["nope"]


class _Conn:
    def __init__(self):
        self.sent = []

    def send(self, msg):
        self.sent.append(msg)


def test_the_host_dispatches_job_commands_through_the_table():
    conn = _Conn()
    loop = Loop(conn, Pace(), 1)
    loop.handle(("load", 1, "restore", tasks.RunJob(SMALL).park(), Pace(), "t1"))
    loop.handle(("job", 2, "step", "both"))
    assert conn.sent[-1] == ("reply", 2, True, None) and loop.job.progress == 1
    loop.handle(("job", 3, "advance", 60.0, 5))  # a job method, but not a command
    assert conn.sent[-1][:3] == ("reply", 3, False) and "no command 'advance'" in conn.sent[-1][3]
    loop.handle(("do_job", 4, "step", "both"))  # nor are the old do_ names a loop command
    assert conn.sent[-1][:3] == ("reply", 4, False) and loop.job.progress == 1


def test_a_parked_jobs_errand_is_one_round_trip():
    """The quick host loads, runs the commands and parks in one "visit" (it took three round
    trips); a refusal with check off is its reason, and the rest still run."""
    conn = _Conn()
    loop = Loop(conn, Pace(), 1)
    parked = tasks.RunJob(SMALL).park()
    loop.handle(("visit", 1, "restore", parked, Pace(), "t1",
                 [("step", ("d",)), ("step", ("sideways",)), ("step", ("g",))], False))
    replies = [m for m in conn.sent if m[0] == "reply"]
    assert len(replies) == 1 and replies[0][2] is True
    payloads, again = replies[0][3]
    assert payloads[0] is None and "unknown step kind 'sideways'" in payloads[1]
    assert payloads[2] is None and loop.job is None  # parked: the host is free
    assert tasks.restore(again).progress == 2  # a D step and a G step: both counted
    loop.handle(("visit", 2, "restore", again, Pace(), "t1", [("step", ("sideways",))], True))
    assert conn.sent[-1][:3] == ("reply", 2, False) and "sideways" in conn.sent[-1][3]
