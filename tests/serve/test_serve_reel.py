"""A session's timeline in the server (issue 18, seam 1): fed by the views its host publishes
for its job, in order, trimmed when the host rolls the job back; other jobs' views and a
failing picture never reach it or stop the receiver."""
import dataclasses
import threading

import numpy as np

from playground.serve import process
from playground.serve.reel import Reel


@dataclasses.dataclass(frozen=True)
class Pic:
    step: int
    fake: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((4, 2)))
    history: dict = dataclasses.field(default_factory=dict)
    metric_history: dict = dataclasses.field(default_factory=dict)


class _Conn:
    def __init__(self, messages):
        self.messages = list(messages)

    def recv(self):
        if not self.messages:
            raise EOFError
        return self.messages.pop(0)


def _receive(reel, messages) -> process.Link:
    link = process.Link(_Conn(messages))
    link.sink = reel
    worker = threading.Thread(target=process.receive, args=(link,))
    worker.start()
    worker.join(10)
    return link


def test_the_reel_keeps_its_jobs_pictures_and_drops_them_past_a_rollback():
    reel = Reel("t")
    link = _receive(reel, [
        ("pub", Pic(0), {"tag": "t"}), ("pub", Pic(25), {"tag": "t"}),
        ("pub", Pic(50), {"tag": "t"}), ("pub", Pic(75), {"tag": "other"}),  # not ours
        ("rollback", "t", 30), ("pub", Pic(30), {"tag": "t"}), ("reply", 1, True, None),
    ])
    assert reel.steps() == [0, 25, 30]  # 50 was lost with its steps; 0 and 25 stay
    assert reel.at(27).step == 25 and reel.at(99).step == 30
    assert reel.at(27).history == {}  # a picture only: the newest view carries the histories
    assert [s for s, _ in reel.frames()] == [0, 25, 30]
    assert link.published == 5 and link.replies == {1: (True, None)}


def test_a_view_that_cannot_be_kept_does_not_stop_the_receiver():
    reel = Reel("t")
    link = _receive(reel, [("pub", object(), {"tag": "t"}), ("pub", Pic(5), {"tag": "t"}),
                           ("reply", 7, True, "ok")])
    assert reel.steps() == [5] and link.replies == {7: (True, "ok")}
