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
