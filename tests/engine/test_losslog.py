"""The loss log: pending losses reach the history in order, a network not updated logs NaN, the
first non-finite loss stops the move and is named, and a cut takes every record back to a step."""
import math

import torch
from torch import nn

from playground.engine import losslog


def _t(x: float) -> torch.Tensor:
    return torch.tensor(x)


def test_pending_losses_move_in_order_and_stop_at_the_first_non_finite():
    history = {"step": [], "d_loss": [], "g_loss": []}
    pending = [(1, _t(0.5), _t(1.5)), (2, _t(0.25), None), (3, None, _t(math.inf)),
               (4, _t(math.nan), _t(1.0))]
    bad = losslog.move_to_host(pending, history, torch.device("cpu"))
    assert bad == (3, "G", "loss became infinite")
    assert pending == []
    assert history["step"] == [1, 2] and history["d_loss"] == [0.5, 0.25]
    assert history["g_loss"][0] == 1.5 and math.isnan(history["g_loss"][1])


def test_a_nan_weight_names_its_network():
    G, D = nn.Linear(2, 2), nn.Linear(2, 1)
    assert losslog.non_finite_net(G, D) is None
    with torch.no_grad():
        D.bias.fill_(math.nan)
    assert losslog.non_finite_net(G, D) == "D"


def test_a_cut_takes_every_record_back_to_the_good_step():
    metric = {"step": [0, 25, 50], "w1": [3.0, 2.0, 1.0]}
    history = {"step": [48, 49, 50, 51], "d_loss": [1.0, 2.0, 3.0, 4.0]}
    events, cut = losslog.cut_records(49, metric, history, events=[(10, "a"), (50, "b")])
    assert cut and metric == {"step": [0, 25], "w1": [3.0, 2.0]}
    assert history == {"step": [48, 49], "d_loss": [1.0, 2.0]} and events == [(10, "a")]
    events, cut = losslog.cut_records(49, metric, history, events=events)
    assert not cut and events == [(10, "a")]


def test_a_state_copy_shares_no_tensor():
    net = nn.Linear(2, 1)
    copy = losslog.clone({"w": [net.weight], "n": 3})
    assert torch.equal(copy["w"][0], net.weight) and copy["w"][0] is not net.weight
