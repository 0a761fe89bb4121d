"""An InfoGAN generator in the latent explorer (issue 22): its points are [z, categorical code,
continuous codes], the class views hold z and change the categorical code, the code sweep is the
paper's figure (rows: code values, columns: one continuous code), and style transfer refuses."""
import numpy as np
import pytest
import torch

from playground import infogan
from playground.engine.run import Run
from playground.latent import classes, explorer
from playground.latent import ops as latent
from playground.presets import config_for


@pytest.fixture(scope="module")
def ex():
    torch.manual_seed(0)
    run = Run(config_for("infogan", width=8, latent_dim=8, batch_size=16, n_fixed=20),
              device=torch.device("cpu"))
    run.train(3)
    return explorer.Explorer.from_run(run, "an InfoGAN run")


def _drawn(ex, z, cat, cont):
    """G(z, c) as training calls it, in the explorer's uint8 pixels."""
    spec = infogan.INFO_CODES.get("infogan")
    c = infogan.codes_of(torch.as_tensor(cat), torch.as_tensor(cont, dtype=torch.float32),
                         spec)
    with torch.no_grad():
        x = ex.G(torch.as_tensor(z, dtype=torch.float32), c)
    return ((x.clamp(-1, 1) + 1) * 127.5).round().squeeze(1).to(torch.uint8).numpy()


def test_points_are_z_then_the_one_hot_code_then_the_continuous_codes(ex):
    assert (ex.classes, ex.cont, ex.info, ex.width, ex.tail) == (10, 2, True, 20, 12)
    z = ex.z_batch(13, 4)
    assert np.array_equal(z[:, 8:18], np.eye(10, dtype=np.float32)[np.arange(13) % 10])
    assert np.array_equal(z[:, 18:], np.zeros((13, 2), np.float32))
    assert np.array_equal(ex.asked(z), np.arange(13) % 10)
    d = ex.decode(z)  # the explorer's decode is G(z, c) itself
    assert np.array_equal(d.images, _drawn(ex, z[:, :8], np.arange(13) % 10, np.zeros((13, 2))))


def test_the_code_sweep_is_the_papers_figure(ex):
    p = ex.z_batch(3, 1)[2]
    values = np.linspace(-2, 2, 5)
    pts = classes.code_sweep(ex, p, 1, values)
    assert pts.shape == (50, 20)
    assert np.array_equal(pts[:, :8], np.repeat(p[None, :8], 50, 0))  # one z throughout
    assert np.array_equal(ex.asked(pts), np.repeat(np.arange(10), 5))  # row k: code value k
    assert np.allclose(pts[:, 19], np.tile(values, 10)) and not pts[:, 18].any()
    cont = np.stack([np.zeros(50), np.tile(values, 10)], 1)
    assert np.array_equal(ex.decode(pts).images,
                          _drawn(ex, pts[:, :8], np.repeat(np.arange(10), 5), cont))
    with pytest.raises(ValueError, match=r"continuous code must be in \[0, 1\], got 2"):
        classes.code_sweep(ex, p, 2, values)


def test_class_views_run_on_the_code_and_readings_count_each_row(ex):
    z = ex.z_batch(4, 2)
    grid = classes.every_class(ex, z)
    assert np.array_equal(grid.z[:, 18:], np.zeros((40, 2), np.float32))
    readings = classes.row_readings(grid, 4)
    assert len(readings) == 10
    for (digit, share), row in zip(readings, grid.labels.reshape(10, 4), strict=True):
        assert share == pytest.approx(np.mean(row == digit))
        assert share == max(np.mean(row == d) for d in range(10))
    path = classes.between(ex, z[0], 2, 6, 4)
    assert path.shape == (4, 20) and not path[:, 18:].any()
    # paths lerp every code number and keep z's part a slerp
    walk = latent.path(z[0], z[1], 5, "slerp", ex.tail)
    assert walk.shape == (5, 20) and np.allclose(walk[2, 8:], (z[0, 8:] + z[1, 8:]) / 2)
    with pytest.raises(ValueError, match="its code values are not digit labels"):
        classes.fit(ex, np.zeros((28, 28), np.uint8), 3)


def test_the_readings_of_a_made_up_grid():
    labels = np.array([7, 7, 1, 7, 2, 2, 2, 2] + [0] * 32)
    d = explorer.Decoded(np.zeros((40, 2)), np.zeros((40, 28, 28), np.uint8), labels,
                         np.ones(40, np.float32))
    assert classes.row_readings(d, 4)[:2] == [(7, 0.75), (2, 1.0)]


def test_a_conditional_or_plain_generator_has_no_codes_to_sweep():
    run = Run(config_for("cgan_projection", width=8, latent_dim=8, batch_size=16, n_fixed=20),
              device=torch.device("cpu"))
    cond = explorer.Explorer.from_run(run, "a conditional run")
    assert (cond.cont, cond.info, cond.tail) == (0, False, 10)
    with pytest.raises(ValueError, match="has no continuous codes"):
        classes.code_sweep(cond, cond.z_batch(1, 0)[0], 0, [0.0])
