"""The engine: determinism, step kinds, live config changes, divergence, snapshots."""
import dataclasses
import math

import numpy as np
import pytest
import torch

from playground.config import RunConfig
from playground.engine.run import Diverged, Run
from playground.losses import LOSSES
from playground.presets import config_for, ids_for

SMALL = dict(width=32, depth=2, batch_size=64, n_fixed=64, grid_res=20)


def _params(module):
    return [p.detach().clone() for p in module.parameters()]


def _same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def test_same_config_and_seed_give_the_same_run():
    a, b = Run(RunConfig(**SMALL)), Run(RunConfig(**SMALL))
    a.train(40), b.train(40)
    assert a.history["d_loss"] == b.history["d_loss"]
    assert _same(_params(a.G), _params(b.G))
    c = Run(RunConfig(**SMALL, seed=1))
    c.train(40)
    assert c.history["d_loss"] != a.history["d_loss"]


def test_step_returns_named_scalars_and_counts():
    run = Run(RunConfig(**SMALL, n_critic=3))
    out = run.step()
    assert set(out) >= {"step", "d_loss", "g_loss"}
    assert out["step"] == 1 and math.isfinite(out["d_loss"]) and math.isfinite(out["g_loss"])


def test_step_d_changes_only_d_and_step_g_only_g():
    run = Run(RunConfig(**SMALL))
    g0, d0 = _params(run.G), _params(run.D)
    out = run.step_d()
    assert _same(g0, _params(run.G)) and not _same(d0, _params(run.D))
    assert math.isnan(out["g_loss"]) and math.isfinite(out["d_loss"])
    d1 = _params(run.D)
    run.step_g()
    assert _same(d1, _params(run.D)) and not _same(g0, _params(run.G))
    assert run.step_count == 2


@pytest.mark.parametrize("preset", ids_for("points2d"))
def test_every_preset_runs_50_steps_without_nan(preset):
    run = Run(config_for(preset, **SMALL))
    run.train(50)
    assert run.status == "ok", run.reason
    assert run.step_count == 50
    assert np.isfinite(run.history["d_loss"]).all() and np.isfinite(run.history["g_loss"]).all()
    snap = run.snapshot()
    assert np.isfinite(snap.fake).all() and np.isfinite(snap.surface).all()


def test_live_change_keeps_weights_and_applies_hyperparameters():
    run = Run(RunConfig(**SMALL))
    run.train(10)
    g = _params(run.G)
    run.update_config(run.cfg.replace(lr_d=1e-3, loss="hinge", n_critic=2, gp_lambda=1.0,
                                      opt_g="rmsprop", spectral_norm=True))
    assert _same(g, _params(run.G))
    assert run.opt_d.param_groups[0]["lr"] == 1e-3
    assert isinstance(run.opt_g, torch.optim.RMSprop)
    assert run.loss is LOSSES.get("hinge")
    run.train(5)
    assert run.status == "ok" and run.step_count == 15


def test_spectral_norm_switch_keeps_d_the_same_function():
    run = Run(RunConfig(**SMALL))
    run.train(5)
    x = torch.randn(16, 2)
    with torch.no_grad():
        before = run.D(x)
        run.update_config(run.cfg.replace(spectral_norm=True))
        run.D.eval()  # no power iteration: sigma as estimated at the switch
        on = run.D(x)
    assert not torch.allclose(before, on)  # D is now normalised ...
    run.update_config(run.cfg.replace(spectral_norm=False))
    with torch.no_grad():
        off = run.D(x)
    torch.testing.assert_close(off, on)  # ... and switching off keeps that normalised D


def test_architecture_change_needs_a_new_run():
    run = Run(RunConfig(**SMALL))
    with pytest.raises(ValueError, match="width needs a new run"):
        run.update_config(run.cfg.replace(width=64))


def test_divergence_stops_rolls_back_and_pictures_the_rolled_back_weights():
    run = Run(RunConfig(**SMALL))
    run.train(40)
    good = run.snapshot()
    weights = _params(run.G) + _params(run.D)
    nan_loss = dataclasses.replace(run.loss, d_loss=lambda *, real, fake: real.mean() * math.nan)
    run.loss = nan_loss
    run.train(10)
    assert run.status == "diverged"
    assert "D loss became NaN at step 41" in run.reason and "lower lr_d" in run.reason
    assert run.step_count == 40
    assert _same(weights, _params(run.G) + _params(run.D))  # rolled back to finite weights
    snap = run.snapshot()
    assert snap.status == "diverged" and snap.reason == run.reason
    np.testing.assert_array_equal(snap.fake, good.fake)
    with pytest.raises(Diverged):
        run.step()
    run.update_config(run.cfg.replace(lr_d=1e-5))  # the cure resumes the run
    assert run.status == "ok"


def test_a_diverged_run_pictures_its_rollback_point_not_an_older_picture(tmp_path):
    """The rollback point is the last flushed step, which can be newer than the last picture,
    and a live change made there is on record: the diverged run's picture is drawn at that
    point, with that change, the same picture a saved-and-reloaded copy shows (a parked run
    is such a copy). It once returned the older picture: step 40, without the change."""
    from playground.store import checkpoint

    run = Run(RunConfig(**SMALL))
    run.train(40)
    run.snapshot()  # a picture at step 40
    run.train(10)  # flushed: the rollback point is now step 50
    run.update_config(run.cfg.replace(noise_std=0.01))
    run.loss = dataclasses.replace(run.loss, d_loss=lambda *, real, fake: real.mean() * math.nan)
    run.train(5)
    assert run.status == "diverged" and run.step_count == 50
    snap = run.snapshot()
    assert snap.step == 50 and snap.status == "diverged"
    assert snap.events == ((50, "noise_std 0→0.01"),)
    checkpoint.save(run, tmp_path / "c.pt")
    copy = checkpoint.load(tmp_path / "c.pt")
    copy.status, copy.reason = run.status, run.reason  # a file does not keep "diverged"
    again = copy.snapshot()
    np.testing.assert_array_equal(snap.fake, again.fake)
    assert snap.events == again.events and snap.step == again.step


def test_a_loaded_state_is_copied_not_stepped_in_place():
    """torch's Optimizer.load_state_dict keeps the moment tensors it is given, and Adam
    updates them in place: a state put back (a rollback point, a staged recipe's previous
    stage) must not change when the run trains on."""
    run = Run(RunConfig(**SMALL))
    run.train(5)
    state = run._state_copy()
    before = {k: [t.clone() for t in s.values()] for k in ("opt_d", "opt_g")
              for s in state[k]["state"].values()}
    run.load_state(state)
    run.train(5)
    after = {k: list(s.values()) for k in ("opt_d", "opt_g") for s in state[k]["state"].values()}
    assert before.keys() == after.keys()
    for k in before:
        assert all(torch.equal(a, b) for a, b in zip(before[k], after[k], strict=True))


def test_huge_learning_rate_diverges_with_a_reason():
    run = Run(config_for("fgan_kl", **SMALL, lr_d=1.0, lr_g=1.0))
    run.train(300)
    assert run.status == "diverged"
    assert "became" in run.reason and "step" in run.reason


def test_snapshot_is_numpy_only_and_well_shaped():
    run = Run(RunConfig(**SMALL))
    run.train(20)
    s = run.snapshot()
    for f in dataclasses.fields(s):
        v = getattr(s, f.name)
        assert not isinstance(v, torch.Tensor), f.name
    assert s.fake.shape == s.real.shape == s.push.shape == (64, 2)
    assert s.surface.shape == (20, 20) and s.surface_kind == "prob"
    assert ((s.surface >= 0) & (s.surface <= 1)).all() and s.surface_centre == 0.5
    assert s.manifold.shape == (25, 25, 2) and s.field_xy.shape == s.field_push.shape
    assert s.centres.shape == (8, 2) and s.mode_counts.shape == (8,)
    assert set(s.metrics) == {"modes", "hq_pct", "rkl", "w1", "jsd", "js_bound"}
    assert s.history["step"][-1] == 20 and s.metric_history["step"][-1] == 20
    assert s.fake.dtype == np.float32


def test_critic_surface_is_centred_between_real_and_fake_scores():
    run = Run(config_for("wgan_gp", **SMALL))
    run.train(10)
    s = run.snapshot()
    assert s.surface_kind == "score" and math.isnan(s.metrics["js_bound"])
    lo, hi = float(s.surface.min()), float(s.surface.max())
    assert lo < s.surface_centre < hi


def test_push_points_where_g_loss_decreases():
    run = Run(RunConfig(**SMALL))
    run.train(30)
    x = run.observer.real_fixed[:32].clone() + 0.3
    with run.observing():
        p = run.observer.push(x)
    loss = lambda pts: run.loss.g_loss(fake=run.D(pts)).item()  # noqa: E731
    with torch.no_grad():
        assert loss(x + 1e-3 * p / p.norm(dim=1, keepdim=True)) < loss(x)


def test_unrolled_steps_reach_g():
    run = Run(config_for("unrolled", **SMALL))
    d0 = _params(run.D)
    run.step_g()
    assert _same(d0, _params(run.D))  # the look-ahead never touches D itself
    run.train(5)
    assert run.status == "ok"


def test_history_marks_single_updates_as_missing():
    run = Run(RunConfig(**SMALL))
    run.step_d()
    run.step_g()
    assert math.isnan(run.history["g_loss"][0]) and math.isnan(run.history["d_loss"][1])


def test_a_nan_mid_flush_rolls_the_history_back_with_the_weights():
    """The NaN arrives at step 45, between the flushes at 32 and 64: the steps 33-44 logged
    before it are undone with the weights, so a resumed run never logs a step twice."""
    run = Run(RunConfig(**SMALL))
    run.train(32)  # a flush at 32 is the rollback point
    calls = {"n": 0}
    d_loss = run.loss.d_loss

    def nan_at_13th(*, real, fake):
        calls["n"] += 1
        return d_loss(real=real, fake=fake) * (math.nan if calls["n"] == 13 else 1.0)

    run.loss = dataclasses.replace(run.loss, d_loss=nan_at_13th)
    run.train(20)
    assert run.status == "diverged" and "step 45" in run.reason and run.step_count == 32
    assert run.history["step"][-1] == 32  # 33..44 went with the weights
    run.update_config(run.cfg.replace(lr_d=1e-4))  # the cure (back to the registry's loss)
    run.train(20)
    steps = run.history["step"]
    assert steps == sorted(set(steps)) and steps[-1] == 52  # strictly increasing, no repeats


def test_observing_never_changes_training():
    """Snapshots and evaluations run G and D in eval mode: with spectral norm (whose power
    iteration advances on every training-mode forward) the next steps are bit-identical."""
    a, b = Run(config_for("sngan", **SMALL)), Run(config_for("sngan", **SMALL))
    a.train(10), b.train(10)
    a.snapshot(), a.evaluate(), a.evaluate(protocol=True), a.samples(100)
    a.train(10), b.train(10)
    assert _same(_params(a.G), _params(b.G)) and _same(_params(a.D), _params(b.D))
    assert all(torch.equal(x, y) for x, y in zip(a.D.buffers(), b.D.buffers(), strict=True))


def test_remedies_do_not_shift_the_data_and_z_streams():
    """Two runs with one seed that differ in GP and instance noise draw the same real batches
    and the same z: their data and z streams are in the same state after training."""
    a = Run(RunConfig(**SMALL, loss="wgan"))
    b = Run(RunConfig(**SMALL, loss="wgan", gp_lambda=1.0, noise_std=0.1))
    assert _same(_params(a.G), _params(b.G)) and _same(_params(a.D), _params(b.D))
    a.train(25), b.train(25)
    for stream in ("data", "z"):
        assert torch.equal(a.gens[stream].get_state(), b.gens[stream].get_state()), stream
    assert not torch.equal(a.gens["aux"].get_state(), b.gens["aux"].get_state())


def test_evaluations_are_recorded_once_per_step_in_two_named_series():
    run = Run(RunConfig(**SMALL))
    run.train(10)
    live, again = run.evaluate(), run.evaluate()
    full = run.evaluate(protocol=True)
    assert live == again and run.metric_history["step"] == [10]
    assert run.protocol_history["step"] == [10]
    assert full["w1"] != live["w1"]  # 2,500 points vs 512: another estimator, kept apart


def test_a_live_spectral_norm_switch_does_not_depend_on_the_process():
    """u and v of spectral norm's power iteration come from the run's seed and step: the same
    switch gives the same run whatever else the process drew before it (a pool host)."""
    runs = []
    for before in (1, 2):
        run = Run(RunConfig(**SMALL))
        run.train(5)
        torch.manual_seed(before)
        run.update_config(run.cfg.replace(spectral_norm=True))
        run.train(5)
        runs.append(run)
    a, b = runs
    assert all(torch.equal(x, y) for x, y in zip(a.D.buffers(), b.D.buffers(), strict=True))
    assert _same(_params(a.D), _params(b.D)) and _same(_params(a.G), _params(b.G))


def _nan_loss(run):
    return dataclasses.replace(run.loss, d_loss=lambda *, real, fake: real.mean() * math.nan)


def test_a_rollback_takes_every_record_back_with_the_weights():
    """Evaluations (live and protocol), live-change markers and the tiles' latest metrics
    after the rollback point go with the weights."""
    run = Run(RunConfig(**SMALL))
    run.train(8)
    at_8 = run.evaluate()
    run.train(8)
    good = run._good  # the rollback point at step 16
    run.train(8)
    run.evaluate(), run.evaluate(protocol=True)
    run.update_config(run.cfg.replace(lr_d=1e-4))  # a marker at step 24
    run._good = good  # as if steps 17-24 had not been flushed yet
    run.loss = _nan_loss(run)
    run.train(4)
    assert run.status == "diverged" and run.step_count == 16
    assert run.metric_history["step"] == [8] and run.protocol_history["step"] == []
    assert all(len(v) == 1 for v in run.metric_history.values())
    assert run.events == [] and run.latest_metrics == at_8


def test_the_rollback_point_never_holds_non_finite_weights():
    """Losses are computed before each update, so the last update of a flush window can make
    weights inf with every logged loss finite. The flush checks the weights too: the run
    stops there and goes back to its last finite weights."""
    run = Run(RunConfig(**SMALL))
    run.train(32)  # the rollback point
    weights = _params(run.G) + _params(run.D)
    step, calls = run.opt_g.step, {"n": 0}

    def blow_up_the_8th():
        step()
        calls["n"] += 1
        if calls["n"] == 8:  # step 40: the last update before the flush at 40
            with torch.no_grad():
                next(run.G.parameters())[0, 0] = math.inf

    run.opt_g.step = blow_up_the_8th
    run.train(8)
    assert run.status == "diverged" and run.step_count == 32
    assert "G weights became non-finite at step 40" in run.reason
    assert _same(weights, _params(run.G) + _params(run.D))
    assert run.history["step"][-1] == 32


def test_learning_rates_halve_every_halflife_steps():
    """lr_halflife h: the update after t steps uses lr * 0.5^(t / h), both nets, the
    optimiser kind's own update (the rates only); 0 keeps them constant; a live change starts
    the decay from the run's step count; a checkpoint resumes it where it was."""
    from playground import optim
    from playground.engine import batched
    from playground.store import checkpoint
    cfg = RunConfig(**SMALL, lr_d=2e-3, lr_g=1e-3, lr_halflife=10)
    run = Run(cfg)
    run.train(25)  # the last update ran at t = 24
    assert math.isclose(run.opt_d.param_groups[0]["lr"], 2e-3 * 0.5 ** 2.4, rel_tol=1e-12)
    assert math.isclose(run.opt_g.param_groups[0]["lr"], 1e-3 * 0.5 ** 2.4, rel_tol=1e-12)
    assert optim.decay(30, 10) == 0.125 and optim.decay(30, 0) == 1.0
    flat = Run(cfg.replace(lr_halflife=0))
    flat.train(25)
    assert flat.opt_d.param_groups[0]["lr"] == 2e-3
    # live: switched on at step 25, the next update runs at 0.5^(25/5)
    flat.update_config(flat.cfg.replace(lr_halflife=5))
    flat.step()
    assert math.isclose(flat.opt_g.param_groups[0]["lr"], 1e-3 * 0.5 ** 5, rel_tol=1e-12)
    # the same weights as a run that decays the same way: a smaller step than constant rates
    const = Run(cfg.replace(lr_halflife=0))
    const.train(25)
    assert not _same(_params(run.G), _params(const.G))
    # resumed from a checkpoint: bit for bit the uninterrupted run
    half = Run(cfg)
    half.train(12)
    again = checkpoint.from_state(checkpoint.state_of(half))
    again.train(13)
    assert _same(_params(again.G), _params(run.G)) and _same(_params(again.D), _params(run.D))
    assert batched.reason_not_batchable([cfg, cfg]) == ("decaying learning rates are set per "
                                                         "run each step")
