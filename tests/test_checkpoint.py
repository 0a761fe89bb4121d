"""Checkpoints carry their config, resume exactly, and fail politely when damaged."""
import numpy as np
import pytest
import torch

from playground import checkpoint
from playground.config import RunConfig
from playground.run import Run

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
    state = checkpoint.state_of(a)
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
    digest = checkpoint.sha256(tmp_path / "c.pt")
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
