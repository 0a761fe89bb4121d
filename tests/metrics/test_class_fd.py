"""The per-class Frechet distance of a conditional generator (metrics/class_fd.py) and the
shipped-model score that carries it (store/pretrained.class_scores)."""
import numpy as np
import pytest

from playground.metrics import class_fd
from playground.metrics.images import halves

D, PER = 8, 400  # feature size, held-out digits a class


def _held(seed: int = 0):
    """Held-out 'features': class k is N(3 e_k-ish mean, I) in D dims, PER of each class."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(10), PER)
    means = rng.normal(0, 3, (10, D))
    return means[labels] + rng.standard_normal((len(labels), D)), labels, means


def test_fakes_that_are_real_digits_of_their_class_score_as_the_real_reference():
    feats, labels, _ = _held()
    _, b = halves(len(feats))
    n = 100
    fakes = np.concatenate([feats[b][labels[b] == k][:n] for k in range(10)])  # the very digits
    fd, real = class_fd.per_class(fakes, np.repeat(np.arange(10), n), feats, labels, n)
    assert np.allclose(fd, real)
    assert (real > 0).all() and (real < 1.0).all()  # same law: only the sample-size floor


def test_a_class_drawn_as_another_digit_is_far_and_only_that_class():
    feats, labels, means = _held()
    rng = np.random.default_rng(1)
    n = 100
    asked = np.repeat(np.arange(10), n)
    fakes = means[asked] + rng.standard_normal((len(asked), D))  # the right law, fresh draws
    fakes[asked == 3] = means[5] + rng.standard_normal((n, D))  # every 3 drawn as a 5
    fd, real = class_fd.per_class(fakes, asked, feats, labels, n)
    ok = np.arange(10) != 3
    assert (fd[ok] < 3 * real[ok]).all() and (fd[ok] > 0.2 * real[ok]).all()
    gap = ((means[3] - means[5]) ** 2).sum()  # the mean term of the distance, in closed form
    assert 0.8 * gap < fd[3] < 1.2 * gap + 3 * real[3]


def test_too_few_fakes_or_digits_of_a_class_are_refused():
    feats, labels, _ = _held()
    with pytest.raises(ValueError, match="class 0: 50 fakes"):
        class_fd.per_class(feats[:500], np.repeat(np.arange(10), 50), feats, labels, 100)


@pytest.mark.slow
def test_a_conditional_runs_score_has_every_class_and_the_worst_ratio():
    import torch

    from playground.engine.run import Run
    from playground.presets import config_for
    from playground.store import pretrained
    run = Run(config_for("cgan_projection", width=8, latent_dim=8, batch_size=16, n_fixed=20),
              device=torch.device("cpu"))
    run.train(2)
    s = pretrained.class_scores(run)
    fd = np.array([s[f"fd_class_{k}"] for k in range(10)])
    real = np.array([s[f"real_fd_class_{k}"] for k in range(10)])
    assert np.isfinite(fd).all() and (real > 0).all()
    assert s["class_fd_ratio"] == pytest.approx((fd / real).max())
    assert s["class_fd_ratio"] > 3  # two steps of training: nowhere near the real digits
