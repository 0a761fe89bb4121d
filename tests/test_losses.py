"""Closed-form loss values at chosen scores, and the saturation that separates minimax from NS."""
import math

import pytest
import torch

from playground.losses import F_DIVERGENCES, LOSSES, logistic_js_bound

REAL = [1.5, -0.5, 0.2]
FAKE = [0.3, -2.0, 1.0]


def sig(s):
    return 1 / (1 + math.exp(-s))


def mean(xs):
    return sum(xs) / len(xs)


# Textbook formulas, written independently of the implementation (probabilities, not logits).
EXPECTED = {
    "minimax": (mean([-math.log(sig(r)) for r in REAL])
                + mean([-math.log(1 - sig(f)) for f in FAKE]),
                mean([math.log(1 - sig(f)) for f in FAKE])),
    "ns": (mean([-math.log(sig(r)) for r in REAL]) + mean([-math.log(1 - sig(f)) for f in FAKE]),
           mean([-math.log(sig(f)) for f in FAKE])),
    "lsgan": (0.5 * mean([(r - 1) ** 2 for r in REAL]) + 0.5 * mean([f**2 for f in FAKE]),
              0.5 * mean([(f - 1) ** 2 for f in FAKE])),
    "hinge": (mean([max(0, 1 - r) for r in REAL]) + mean([max(0, 1 + f) for f in FAKE]),
              -mean(FAKE)),
    "wgan": (mean(FAKE) - mean(REAL), -mean(FAKE)),
    "wgan_gp": (mean(FAKE) - mean(REAL), -mean(FAKE)),
}
# f-GAN (Nowozin et al. 2016, Table 2): output activation g_f and conjugate f*, unsimplified.
F_TABLE = {
    "kl": (lambda v: v, lambda t: math.exp(t - 1)),
    "rkl": (lambda v: -math.exp(-v), lambda t: -1 - math.log(-t)),
    "pearson": (lambda v: v, lambda t: t * t / 4 + t),
    "hellinger": (lambda v: 1 - math.exp(-v), lambda t: t / (1 - t)),
    "js": (lambda v: math.log(2) - math.log(1 + math.exp(-v)),
           lambda t: -math.log(2 - math.exp(t))),
}
for _id, (g_f, f_star) in F_TABLE.items():
    EXPECTED[f"fgan_{_id}"] = (
        -(mean([g_f(r) for r in REAL]) - mean([f_star(g_f(f)) for f in FAKE])),
        -mean([g_f(f) for f in FAKE]))


def test_every_registered_loss_has_a_closed_form_check():
    assert set(EXPECTED) == set(LOSSES.ids())


@pytest.mark.parametrize("loss_id", sorted(EXPECTED))
def test_closed_form_values(loss_id):
    spec = LOSSES.get(loss_id)
    real, fake = torch.tensor(REAL, dtype=torch.float64), torch.tensor(FAKE, dtype=torch.float64)
    d_expected, g_expected = EXPECTED[loss_id]
    d_value = spec.d_loss(real=real, fake=fake).item()
    assert d_value == pytest.approx(d_expected, rel=1e-9, abs=1e-12)
    assert spec.g_loss(fake=fake).item() == pytest.approx(g_expected, rel=1e-9, abs=1e-12)


def _g_grad(loss_id: str, score: float) -> float:
    fake = torch.tensor([score], dtype=torch.float64, requires_grad=True)
    LOSSES.get(loss_id).g_loss(fake=fake).backward()
    return fake.grad.item()


def test_minimax_saturates_where_ns_does_not():
    # D confidently calls the fake fake (score -20, D = 2e-9): d/ds log(1 - sigmoid(s)) =
    # -sigmoid(s) ~ -2e-9, while d/ds -log sigmoid(s) = -sigmoid(-s) ~ -1.
    minimax, ns = _g_grad("minimax", -20.0), _g_grad("ns", -20.0)
    assert abs(minimax) < 1e-8
    assert ns == pytest.approx(-1.0, abs=1e-8)
    # Both push the score up (negative gradient of the loss) ...
    assert minimax < 0 and ns < 0
    # ... and at an undecided D (score 0) both have slope -1/2: they differ only as D grows sure.
    assert _g_grad("minimax", 0.0) == pytest.approx(-0.5) == _g_grad("ns", 0.0)


def test_minimax_and_ns_are_different_functions():
    fake = torch.tensor([-3.0, 0.0, 3.0])
    a = LOSSES.get("minimax").g_loss(fake=fake).item()
    b = LOSSES.get("ns").g_loss(fake=fake).item()
    assert abs(a - b) > 0.5


def test_losses_stay_finite_at_extreme_scores():
    big = torch.tensor([-1e4, 1e4])
    for loss_id in ("minimax", "ns", "fgan_js"):
        spec = LOSSES.get(loss_id)
        assert torch.isfinite(spec.d_loss(real=big, fake=big))
        assert torch.isfinite(spec.g_loss(fake=big))


def test_logistic_js_bound_limits():
    # Undecided D (all scores 0): L_D = 2 log 2, bound = 0. Perfect D: L_D -> 0, bound -> log 2.
    zeros = torch.zeros(4)
    assert logistic_js_bound(real=zeros, fake=zeros) == pytest.approx(0.0, abs=1e-7)
    sure = logistic_js_bound(real=torch.full((4,), 30.0), fake=torch.full((4,), -30.0))
    assert sure == pytest.approx(math.log(2), abs=1e-6)


def test_fgan_boundaries_are_where_the_activation_equals_f_prime_of_one():
    # f'(1): KL 1, reverse KL -1, Pearson 0, Hellinger 0, JS 0 (Nowozin et al. 2016).
    f_prime_1 = {"kl": 1.0, "rkl": -1.0, "pearson": 0.0, "hellinger": 0.0, "js": 0.0}
    for key, div in F_DIVERGENCES.items():
        t = div.g_f(torch.tensor([div.boundary])).item()
        assert t == pytest.approx(f_prime_1[key], abs=1e-9)


def test_unknown_loss_names_the_valid_ids():
    with pytest.raises(ValueError, match="valid: minimax, ns"):
        LOSSES.get("gan")
