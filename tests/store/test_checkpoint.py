"""Checkpoints carry their config, resume exactly, and fail politely when damaged."""
import numpy as np
import pytest
import torch

from playground.config import RunConfig
from playground.engine.run import Run
from playground.store import checkpoint, manifest

SMALL = dict(width=32, depth=2, batch_size=64, n_fixed=64, grid_res=20)


def test_round_trip_resumes_the_same_run(tmp_path):
    a = Run(RunConfig(**SMALL, loss="hinge", spectral_norm=True))
    a.train(20)
    checkpoint.save(a, tmp_path / "c.pt")
    b = checkpoint.load(tmp_path / "c.pt")
    assert b.cfg == a.cfg and b.step_count == 20
    assert b.history == a.history
    a.train(15), b.train(15)
    for p, q in zip(a.G.parameters(), b.G.parameters(), strict=True):
        assert torch.equal(p, q)


def test_a_file_without_moments_trains_on_as_a_fresh_optimiser_would(tmp_path):
    """A shipped file leaves the optimisers' moments out (`moments=False`): the loaded run has
    the saved weights and steps, starts Adam afresh (its first update is lr times the
    gradient's sign, the same size as a new run's), trains, and saves its moments again."""
    a = Run(RunConfig(**SMALL, loss="hinge"))
    a.train(20)
    checkpoint.save(a, tmp_path / "full.pt")
    checkpoint.save(a, tmp_path / "bare.pt", moments=False)
    bare = torch.load(tmp_path / "bare.pt", weights_only=True)
    assert bare["opt_d"]["state"] == {} == bare["opt_g"]["state"]
    assert bare["opt_g"]["param_groups"][0]["lr"] == a.cfg.lr_g
    assert (tmp_path / "bare.pt").stat().st_size < (tmp_path / "full.pt").stat().st_size
    b = checkpoint.load(tmp_path / "bare.pt")
    assert b.step_count == 20 and not b.opt_g.state
    for p, q in zip(a.G.parameters(), b.G.parameters(), strict=True):
        assert torch.equal(p, q)
    before = [p.detach().clone() for p in b.G.parameters()]
    b.train(1)
    lr = b.cfg.lr_g
    for p, q in zip(before, b.G.parameters(), strict=True):  # Adam's first step: ~lr per entry
        moved = (q.detach() - p).abs()
        assert moved.max() <= 1.01 * lr and moved.max() > 0.5 * lr
    b.train(4)
    assert b.status == "ok" and b.step_count == 25 and b.opt_g.state
    assert checkpoint.state_from_bytes(checkpoint.to_bytes(b))["opt_g"]["state"]


def test_custom_points_travel_with_the_checkpoint(tmp_path):
    pts = np.random.default_rng(0).normal(size=(50, 2)).astype(np.float32)
    a = Run(RunConfig(**SMALL, dataset="custom"), points=pts)
    checkpoint.save(a, tmp_path / "c.pt")
    np.testing.assert_array_equal(checkpoint.load(tmp_path / "c.pt").points, pts)


@pytest.mark.parametrize("content,message", [
    (b"not a checkpoint at all", "not a readable checkpoint"),
    (b"", "not a readable checkpoint"),
])
def test_corrupt_files_raise_checkpoint_error(tmp_path, content, message):
    path = tmp_path / "bad.pt"
    path.write_bytes(content)
    with pytest.raises(checkpoint.CheckpointError, match=message):
        checkpoint.load(path)


def test_truncated_and_foreign_checkpoints(tmp_path):
    run = Run(RunConfig(**SMALL))
    checkpoint.save(run, tmp_path / "c.pt")
    data = (tmp_path / "c.pt").read_bytes()
    (tmp_path / "t.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(checkpoint.CheckpointError):
        checkpoint.load(tmp_path / "t.pt")
    torch.save({"weights": torch.zeros(3)}, tmp_path / "f.pt")
    with pytest.raises(checkpoint.CheckpointError, match="not a GAN Playground"):
        checkpoint.load(tmp_path / "f.pt")
    with pytest.raises(checkpoint.CheckpointError, match="no such file"):
        checkpoint.load(tmp_path / "missing.pt")


def test_checkpoint_with_a_bad_config_is_rejected(tmp_path):
    run = Run(RunConfig(**SMALL))
    checkpoint.save(run, tmp_path / "c.pt")
    state = torch.load(tmp_path / "c.pt", weights_only=True)
    state["config"]["loss"] = "nonsense"
    torch.save(state, tmp_path / "c.pt")
    with pytest.raises(checkpoint.CheckpointError, match="unknown loss"):
        checkpoint.load(tmp_path / "c.pt")


def test_a_version_1_checkpoint_still_loads(tmp_path):
    """2D runs saved before images (format run2d v1, one random stream) keep working."""
    a = Run(RunConfig(**SMALL))
    a.train(5)
    state = _by_position(checkpoint.state_of(a), a)
    state.update(format="gan-playground/run2d", version=1, gen=a.gens["data"].get_state())
    for key in ("gens", "kind", "arch", "protocol_history"):
        del state[key]
    torch.save(state, tmp_path / "old.pt")
    b = checkpoint.load(tmp_path / "old.pt")
    assert b.step_count == 5 and b.cfg == a.cfg
    for p, q in zip(a.G.parameters(), b.G.parameters(), strict=True):
        assert torch.equal(p, q)


def test_a_tampered_file_fails_its_checksum(tmp_path):
    a = Run(RunConfig(**SMALL))
    checkpoint.save(a, tmp_path / "c.pt")
    digest = manifest.sha256(tmp_path / "c.pt")
    assert checkpoint.load(tmp_path / "c.pt", expected_sha256=digest).step_count == 0
    data = bytearray((tmp_path / "c.pt").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / "c.pt").write_bytes(bytes(data))
    with pytest.raises(checkpoint.CheckpointError, match="SHA-256"):
        checkpoint.load(tmp_path / "c.pt", expected_sha256=digest)
    (tmp_path / "t.pt").write_bytes(bytes(data[: len(data) // 3]))  # truncated
    with pytest.raises(checkpoint.CheckpointError, match="not a readable checkpoint"):
        checkpoint.load(tmp_path / "t.pt")


def test_a_checkpoint_of_another_architecture_is_refused(tmp_path):
    a = Run(RunConfig(**SMALL))
    checkpoint.save(a, tmp_path / "c.pt")
    with pytest.raises(checkpoint.CheckpointError, match="holds a 'mlp' model; this needs"):
        checkpoint.load(tmp_path / "c.pt", arch="dcgan")


# The lecture's spectral-norm demo: on, off, then a park (checkpoint bytes) and more training.
# Before the fix D came back with its parameters as (bias, weight), the fused-Adam moments were
# loaded by position onto the wrong tensors and the next step segfaulted (exit 139), so this
# runs in a child process: a crash fails the test instead of killing pytest.
SN_ROUND_TRIP = """
import torch
from playground.store import checkpoint
from playground.config import RunConfig
from playground.engine.run import Run
for cfg in (RunConfig(width=16, depth=2, batch_size=32, n_fixed=16, grid_res=10),
            RunConfig(dataset="mnist", arch="dcgan", latent_dim=8, width=8, batch_size=16,
                      n_fixed=16)):
    run = Run(cfg)
    run.train(3)
    run.update_config(cfg.replace(spectral_norm=True))
    run.train(3)
    run.update_config(cfg.replace(spectral_norm=False))
    run.train(3)
    back = checkpoint.from_state(checkpoint.state_from_bytes(checkpoint.to_bytes(run)))
    run.train(3)
    back.train(3)
    same = all(torch.equal(p, q) for m in ("G", "D") for p, q in
               zip(getattr(run, m).parameters(), getattr(back, m).parameters(), strict=True))
    print(cfg.arch or "mlp", back.step_count, same)
"""


def test_spectral_norm_on_then_off_survives_a_checkpoint():
    """...and the restored run goes on exactly as the one that never stopped."""
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", SN_ROUND_TRIP], cwd=root, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:2] == ["mlp 12 True", "dcgan 12 True"]


def _by_position(state: dict, run: Run, order: dict | None = None) -> dict:
    """`state` with its optimiser state numbered by position, as versions 1 and 2 stored it
    (`order`: net -> the saving run's parameter names, default the canonical order)."""
    for opt, module in (("opt_d", run.D), ("opt_g", run.G)):
        names = (order or {}).get(opt) or [n for n, _ in module.named_parameters()]
        state[opt] = {"state": {i: state[opt]["state"][n] for i, n in enumerate(names)},
                      "param_groups": [{**state[opt]["param_groups"][0],
                                        "params": list(range(len(names)))}]}
    return state


def _trained(**overrides) -> Run:
    run = Run(RunConfig(**{**SMALL, **overrides}))
    run.train(3)
    return run


def test_optimiser_state_is_keyed_by_parameter_name():
    run = _trained()
    state = checkpoint.state_of(run)
    names = [n for n, _ in run.D.named_parameters()]
    assert list(state["opt_d"]["state"]) == names
    assert state["opt_d"]["param_groups"][0]["params"] == names
    assert state["opt_d"]["state"]["net.0.weight"]["exp_avg"].shape == (32, 2)


def test_swapped_optimiser_moments_are_refused_before_any_step():
    """A crafted or stale file whose moments do not fit their parameters never reaches the
    fused kernel: a CheckpointError names the tensor and both shapes."""
    state = checkpoint.state_of(_trained())
    moments = state["opt_d"]["state"]
    moments["net.0.weight"]["exp_avg"], moments["net.0.bias"]["exp_avg"] = (
        moments["net.0.bias"]["exp_avg"], moments["net.0.weight"]["exp_avg"])
    with pytest.raises(checkpoint.CheckpointError, match=r"optimiser state for net\.0\.weight "
                       r"has shape \(32,\), expected \(32, 2\)"):
        checkpoint.from_state(state)


def test_non_finite_weights_are_refused():
    state = checkpoint.state_of(_trained())
    state["D"]["net.2.weight"][0, 0] = float("nan")
    with pytest.raises(checkpoint.CheckpointError, match="holds NaN or infinite D weights"):
        checkpoint.from_state(state)


def test_a_version_2_file_with_moments_out_of_order_is_refused(tmp_path):
    """Version 2 numbered optimiser state by position. Moments whose order does not match the
    saved D's (a crafted or mangled file) are refused, not crashed on."""
    run = _trained()
    names = [n for n, _ in run.D.named_parameters()]
    reordered = [names[1], names[0], *names[2:]]  # net.0.bias first, as the switch left it
    state = _by_position(checkpoint.state_of(run), run, {"opt_d": reordered})
    state["version"] = 2
    torch.save(state, tmp_path / "v2.pt")
    with pytest.raises(checkpoint.CheckpointError, match=r"v2\.pt .*optimiser state for "
                       r"net\.0\.weight has shape \(32,\), expected \(32, 2\)"):
        checkpoint.load(tmp_path / "v2.pt")


def _resumes_exactly_as_version_2(a: Run, state: dict, path) -> None:
    """`state` saved as a version 2 file loads as a run that goes on exactly as `a` does."""
    state["version"] = 2
    torch.save(state, path)
    b = checkpoint.load(path)
    a.train(5), b.train(5)
    for p, q in zip(a.D.parameters(), b.D.parameters(), strict=True):
        assert torch.equal(p, q)


def test_a_version_2_file_saved_after_spectral_norm_off_resumes_exactly(tmp_path):
    """A build before this fix saved such a run with D's parameters as (bias, weight): in its
    state dict and in the positions of its optimiser state. That order is read back from the
    state dict's keys, so the file loads onto the right tensors."""
    a = _trained()
    state = checkpoint.state_of(a)
    names = [n for n, _ in a.D.named_parameters()]
    old = [n for i in range(0, len(names), 2) for n in (names[i + 1], names[i])]  # bias first
    assert old[:2] == ["net.0.bias", "net.0.weight"]
    state["D"] = {k: state["D"][k] for k in old}
    state = _by_position(state, a, {"opt_d": old})
    _resumes_exactly_as_version_2(a, state, tmp_path / "v2.pt")


def test_a_position_keyed_version_2_file_still_resumes_exactly(tmp_path):
    """The shipped MNIST run is version 2 (moments by position): such files load and go on
    as the run that saved them."""
    a = _trained()
    state = _by_position(checkpoint.state_of(a), a)
    _resumes_exactly_as_version_2(a, state, tmp_path / "v2.pt")


def test_what_passes_the_checksum_is_what_loads(tmp_path, monkeypatch):
    """The file is read once: a file swapped after its SHA-256 was checked (here, just as
    torch.load starts) cannot slip in, and a damaged file's message names the file, not a
    server folder."""
    run = _trained()
    path, other = tmp_path / "c.pt", tmp_path / "other.pt"
    checkpoint.save(run, path)
    run.train(2)
    checkpoint.save(run, other)  # a valid checkpoint at step 5
    digest = manifest.sha256(path)
    real_load = torch.load

    def swap_then_load(f, *args, **kwargs):
        path.write_bytes(other.read_bytes())
        return real_load(f, *args, **kwargs)

    monkeypatch.setattr(checkpoint.torch, "load", swap_then_load)
    assert checkpoint.read(path, expected_sha256=digest)["step"] == 3  # the checked bytes
    monkeypatch.setattr(checkpoint.torch, "load", real_load)
    path.write_bytes(b"junk")
    with pytest.raises(checkpoint.CheckpointError) as err:
        checkpoint.read(path)
    assert str(err.value).startswith("c.pt is not a readable checkpoint: it is truncated")
    assert str(tmp_path) not in str(err.value)
