"""DiffAugment (playground/diffaug.py) and its hook in the D and G updates: every op is
differentiable, reproducible from the generator's state, draws real and fake independently
from one law (translation range, cutout area), reaches D in both updates, and never reaches
G's samples; 2D runs refuse it."""
import copy

import pytest
import torch
from torch import nn

from playground import diffaug
from playground.config import RunConfig, needs_reset
from playground.engine import updates
from playground.engine.run import Run
from playground.losses import LOSSES
from playground.store import checkpoint
from playground.ui.controls import CONTROLS, IMAGE_CONTROLS

FULL = "color,translation,cutout"
TINY = dict(dataset="mnist", latent_dim=8, width=8, batch_size=16, n_fixed=16)


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _delta(n: int, side: int = 28) -> torch.Tensor:
    """n black images with one white pixel at the centre (14, 14)."""
    x = torch.full((n, 1, side, side), -1.0)
    x[:, :, side // 2, side // 2] = 1.0
    return x


def _shifts(x: torch.Tensor, side: int = 28) -> tuple[torch.Tensor, torch.Tensor]:
    """(ty, tx) of each translated delta image: where its white pixel went."""
    flat = x.flatten(1).argmax(1)
    return flat // side - side // 2, flat % side - side // 2


@pytest.mark.parametrize("op", [diffaug.brightness, diffaug.saturation, diffaug.contrast,
                                diffaug.translation, diffaug.cutout])
def test_every_op_passes_gradcheck(op):
    # 3 channels so that saturation is not the identity; float64 for finite differences
    x = torch.rand(3, 3, 8, 8, generator=_gen(1), dtype=torch.float64).mul(2).sub(1)
    x.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda t: op(t, _gen(7)), (x,))
    (grad,) = torch.autograd.grad(op(x, _gen(7)).sum(), x)
    assert grad.abs().sum() > 0  # the gradient reaches the input, not only a constant


def test_the_whole_policy_passes_gradcheck():
    x = torch.rand(2, 1, 16, 16, generator=_gen(2), dtype=torch.float64).mul(2).sub(1)
    assert torch.autograd.gradcheck(lambda t: diffaug.augment(t, FULL, _gen(3)),
                                    (x.requires_grad_(True),))


def test_same_generator_state_gives_identical_augmentations():
    x = torch.rand(64, 1, 28, 28, generator=_gen(4)) * 2 - 1
    a, b = diffaug.augment(x, FULL, _gen(5)), diffaug.augment(x, FULL, _gen(5))
    assert torch.equal(a, b)
    assert not torch.equal(a, diffaug.augment(x, FULL, _gen(6)))
    assert diffaug.augment(x, "", _gen(5)) is x  # off: the images themselves


def test_saturation_is_skipped_without_a_draw_on_one_channel():
    gen, x = _gen(8), torch.rand(4, 1, 28, 28)
    before = gen.get_state()
    assert diffaug.saturation(x, gen) is x
    assert torch.equal(gen.get_state(), before)


def test_translation_shifts_by_up_to_four_pixels_uniformly():
    ty, tx = _shifts(diffaug.translation(_delta(9000), _gen(9)))
    for t in (ty, tx):
        assert set(t.tolist()) == set(range(-4, 5))  # int(28 / 8 + 0.5) = 4 (Zhao's rounding)
        freq = torch.bincount(t + 4).float() / len(t)
        # 1/9 each; binomial sd sqrt(1/9 * 8/9 / 9000) = 0.0033
        torch.testing.assert_close(freq, torch.full((9,), 1 / 9), atol=0.015, rtol=0)
    assert abs(float(torch.corrcoef(torch.stack([ty, tx]).float())[0, 1])) < 0.05


def test_translation_fills_with_black_and_moves_the_digit_whole():
    x = torch.full((1, 1, 28, 28), -1.0)
    x[0, 0, 10:18, 10:18] = torch.linspace(0, 1, 64).reshape(8, 8)
    y = diffaug.translation(x, _gen(10))
    ty, tx = (int(i) - 10 for i in torch.nonzero(y[0, 0] > -1)[0])
    torch.testing.assert_close(y[0, 0, 10 + ty:18 + ty, 10 + tx:18 + tx], x[0, 0, 10:18, 10:18])
    assert float((y > -1).sum()) == float((x > -1).sum())  # nothing else lit: black fill


def test_cutout_blacks_out_a_clipped_quarter_square():
    y = diffaug.cutout(torch.ones(8000, 1, 28, 28), _gen(11))
    cut = (y == -1).float().flatten(1).mean(1)  # fraction of each image blacked out
    assert float(cut.max()) == 0.25  # 14 x 14 of 28 x 28 when the square is inside
    # centre uniform on 0..28, square clipped at the border: mean side 350/29 per axis
    assert float(cut.mean()) == pytest.approx((350 / 29) ** 2 / 784, abs=0.004)
    assert set(y.unique().tolist()) == {-1.0, 1.0}


def test_brightness_and_contrast_draw_from_their_ranges():
    x = torch.linspace(-1, 1, 784).reshape(1, 1, 28, 28).repeat(4000, 1, 1, 1)
    b = (diffaug.brightness(x, _gen(12)) - x)[:, 0, 0, 0]  # the per-image shift
    assert -0.5 <= float(b.min()) and float(b.max()) < 0.5
    assert float(b.mean()) == pytest.approx(0.0, abs=0.02)
    assert float(b.var()) == pytest.approx(1 / 12, rel=0.1)  # U[-0.5, 0.5]
    c = diffaug.contrast(x, _gen(13))
    scale = (c[:, 0, -1, -1] - c.mean((1, 2, 3))) / (x[:, 0, -1, -1] - x.mean((1, 2, 3)))
    assert 0.5 <= float(scale.min()) and float(scale.max()) < 1.5
    assert float(scale.mean()) == pytest.approx(1.0, abs=0.02)
    torch.testing.assert_close(c.mean((1, 2, 3)), x.mean((1, 2, 3)))  # about the mean


class _Spy(nn.Module):
    """A critic that records what it is shown: score = w * sum(x)."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.ones(1))
        self.seen: list[torch.Tensor] = []

    def forward(self, x):
        self.seen.append(x.detach().clone())
        return self.w * x.flatten(1).sum(1)


def test_d_step_augments_real_and_fake_independently_from_one_law():
    D, n = _Spy(), 3000
    opt = torch.optim.SGD(D.parameters(), lr=0.0)
    updates.d_step(D, opt, LOSSES.get("ns"), _delta(n), _delta(n), weights={}, gen=_gen(14),
                   diffaug="translation")
    (seen,) = D.seen
    (ry, rx), (fy, fx) = _shifts(seen[:n]), _shifts(seen[n:])
    for t in (ry, rx, fy, fx):  # E|t| = 20/9 for t uniform on -4..4
        assert float(t.abs().float().mean()) == pytest.approx(20 / 9, abs=0.1)
    same = ((ry == fy) & (rx == fx)).float().mean()
    assert float(same) == pytest.approx(1 / 81, abs=0.01)  # independent: 1/81 coincide


def test_g_step_sees_augmented_fakes_and_sends_gradient_through_them():
    G = nn.Sequential(nn.Linear(4, 784), nn.Tanh(), nn.Unflatten(1, (1, 28, 28)))
    opt_g = torch.optim.SGD(G.parameters(), lr=0.0)
    z = torch.randn(32, 4, generator=_gen(15))
    for policy in ("", FULL):
        D = _Spy()
        fake = G(z)
        updates.g_step(G, D, opt_g, LOSSES.get("ns"), fake, gen=_gen(16), diffaug=policy)
        assert torch.equal(D.seen[0], fake.detach()) == (policy == "")
        assert all(p.grad.abs().sum() > 0 for p in G.parameters())


def test_a_dcgan_run_trains_with_it_and_its_samples_are_not_augmented():
    on = Run(RunConfig(**TINY, diffaug=FULL))
    off = Run(RunConfig(**TINY))
    on.train(3)
    off.train(3)
    assert on.status == "ok", on.reason
    # one seed, the same batches and z: only the augmentation differs, and it moved D
    assert any(not torch.equal(a, b) for a, b in zip(on.D.parameters(), off.D.parameters(),
                                                     strict=True))
    twin = Run(RunConfig(**TINY))  # the same weights without the flag
    twin.load_state(copy.deepcopy(on._state_copy()))
    a, b = on.snapshot(), twin.snapshot()
    assert (a.fake == b.fake).all() and (a.d_fake == b.d_fake).all()


def test_it_switches_on_live_and_2d_runs_refuse_it():
    cfg = RunConfig(**TINY).replace()
    assert needs_reset(cfg, cfg.replace(diffaug=FULL)) == []
    run = Run(cfg)
    run.train(1)
    run.update_config(cfg.replace(diffaug=FULL))
    run.train(2)
    assert run.status == "ok" and run.step_count == 3
    with pytest.raises(ValueError, match="diffaug augments images.*'ring' is 2D points"):
        RunConfig(diffaug=FULL).replace()
    with pytest.raises(ValueError, match="diffaug='zoom' is not a DiffAugment policy; valid"):
        cfg.replace(diffaug="zoom")


def test_the_mnist_lab_offers_it_and_the_2d_lab_does_not():
    row = IMAGE_CONTROLS["diffaug"]
    assert row.section == "remedies" and row.registry is diffaug.POLICIES
    assert row.help == diffaug.CAPTION and FULL in diffaug.POLICIES and "" in diffaug.POLICIES
    assert "diffaug" not in CONTROLS


def test_links_carry_it_on_the_mnist_lab_and_warn_on_the_2d_lab():
    from playground.ui.urlstate import DEFAULT_PRESET, baseline, from_query, to_query
    preset = DEFAULT_PRESET["image"]
    cfg = baseline(preset, "image").replace(diffaug=FULL)
    query = to_query(cfg, preset, kind="image")
    assert query["diffaug"] == FULL
    link = from_query(query, kind="image", controls=IMAGE_CONTROLS)
    assert link.cfg == cfg and link.warnings == ()
    flat = from_query({"diffaug": FULL})  # the 2D lab: its default config and one warning
    assert flat.cfg.diffaug == "" and len(flat.warnings) == 1
    assert "diffaug augments images" in flat.warnings[0]


def test_the_mnist_lab_switches_it_on_live(tmp_path):
    """The one row drives a running lab: selecting the policy keeps the run (a live change),
    the next step trains with it, and the link carries it."""
    from streamlit.testing.v1 import AppTest

    from playground.ui import state

    def page():
        from playground.ui.pages import mnist
        mnist.render()

    ns = state.MNIST
    at = AppTest.from_function(page, default_timeout=120)
    at.query_params.update({"width": "8", "latent_dim": "8", "batch_size": "16",
                            "n_fixed": "16"})
    try:
        at.run()
        at.button(key=f"{ns}.b.step_both").click().run()
        box = at.selectbox(key=state.widget_key(at.session_state, "diffaug", ns))
        assert box.options[0] == "off" and len(box.options) == len(diffaug.POLICIES)
        box.select(FULL).run()
        at.button(key=f"{ns}.b.step_both").click().run()
        assert not at.exception
        assert at.session_state[state.key("cfg", ns)].diffaug == FULL
        (tmp_path / "c.pt").write_bytes(at.session_state[state.key("trainer", ns)].checkpoint())
        run = checkpoint.load(tmp_path / "c.pt")  # the training process's own run
        assert run.cfg.diffaug == FULL and run.step_count == 2
        assert at.query_params["diffaug"] in (FULL, [FULL])
    finally:
        trainer = at.session_state[state.key("trainer", ns)] \
            if state.key("trainer", ns) in at.session_state else None
        if trainer is not None:
            trainer.close()
