"""Checkpoints open on any device: tensors saved on the CPU, the device that made them on
record, and random streams saved on another device re-seeded from (seed, step) with an event
on the curves. There is no GPU here, so a CUDA-made file is built by hand: a CUDA (Philox)
generator's state is its 64-bit seed and 64-bit offset, 16 bytes."""
import struct

import pytest
import torch

from playground.config import RunConfig
from playground.engine import streams
from playground.engine.run import Run
from playground.store import checkpoint, pretrained

SMALL = dict(width=32, depth=2, batch_size=64, n_fixed=64, grid_res=20)
EVENT = "random streams re-seeded: saved on cuda, running on cpu"
DEVICES = [pytest.param("cpu"), pytest.param("cuda", marks=pytest.mark.skipif(
    not torch.cuda.is_available(), reason="no CUDA device"))]


def cuda_state(seed: int, offset: int = 0) -> torch.Tensor:
    """What `torch.Generator("cuda").get_state()` returns: seed and Philox offset, 8 bytes
    each, little-endian, as a uint8 tensor."""
    return torch.frombuffer(bytearray(struct.pack("<QQ", seed, offset)), dtype=torch.uint8)


def as_cuda_made(state: dict) -> dict:
    """`state` as the same run saved on a GPU: every stream a 16-byte state, device 'cuda:0'
    (a version 1 file keeps its one stream under "gen")."""
    if "gens" not in state:
        return {**state, "device": "cuda:0", "gen": cuda_state(1234)}
    return {**state, "device": "cuda:0",
            "gens": {k: cuda_state(1234 + i, 4 * i) for i, k in enumerate(state["gens"])}}


def _params(run: Run) -> list[torch.Tensor]:
    return [p.detach().clone() for p in (*run.G.parameters(), *run.D.parameters())]


def _continue(run: Run, steps: int = 3) -> list[torch.Tensor]:
    run.train(steps)
    return _params(run)


def test_a_checkpoint_holds_cpu_tensors_and_its_device():
    run = Run(RunConfig(**SMALL))
    run.train(3)
    state = checkpoint.state_of(run)
    assert state["device"] == "cpu"
    for key in ("G", "D", "opt_d", "opt_g", "gens"):
        tensors = [t for t in _leaves(state[key]) if isinstance(t, torch.Tensor)]
        assert tensors and all(t.device.type == "cpu" for t in tensors), key


def _leaves(tree):
    if isinstance(tree, dict):
        for v in tree.values():
            yield from _leaves(v)
    elif isinstance(tree, (list, tuple)):
        for v in tree:
            yield from _leaves(v)
    else:
        yield tree


def test_a_cuda_made_run_loads_on_the_cpu_with_the_event(tmp_path):
    a = Run(RunConfig(**SMALL))
    a.train(7)
    torch.save(as_cuda_made(checkpoint.state_of(a)), tmp_path / "gpu.pt")
    b = checkpoint.load(tmp_path / "gpu.pt")
    c = checkpoint.load(tmp_path / "gpu.pt")
    assert b.step_count == 7 and b.events[-1] == (7, EVENT)
    for p, q in zip(_params(a), _params(b), strict=True):  # the weights load exactly
        assert torch.equal(p, q)
    for name, opt in (("opt_d", a.opt_d), ("opt_g", a.opt_g)):  # and the optimiser moments
        want, got = opt.state_dict()["state"], getattr(b, name).state_dict()["state"]
        assert want.keys() == got.keys()
        for i in want:
            for key in ("exp_avg", "exp_avg_sq"):
                assert torch.equal(want[i][key], got[i][key])
    for name, gen in b.gens.items():  # each stream restarted from (seed, step, stream)
        fresh = torch.Generator().manual_seed(streams.reseed_of(a.cfg.seed, name, 7))
        assert torch.equal(gen.get_state(), fresh.get_state()), name
    # two loads of one file continue bit-identically, and the event stays once on record
    for p, q in zip(_continue(b), _continue(c), strict=True):
        assert torch.equal(p, q)
    checkpoint.save(b, tmp_path / "again.pt")
    d = checkpoint.load(tmp_path / "again.pt")  # now CPU-made: nothing to re-seed
    assert [e for e in d.events if e[1] == EVENT] == [(7, EVENT)]
    assert b.snapshot().events == tuple(b.events)  # the curves draw it


@pytest.mark.parametrize("id_", pretrained.read_manifest().ids())
def test_every_shipped_run_loads_with_cuda_shaped_streams(tmp_path, id_):
    entry = pretrained.read_manifest().get(id_)
    state = checkpoint.read(pretrained.ROOT / entry.file, entry.expected_sha256)
    torch.save(as_cuda_made(state), tmp_path / entry.file)
    runs = [checkpoint.load(tmp_path / entry.file, torch.device("cpu")) for _ in range(2)]
    for run in runs:
        assert run.events[-1] == (state["step"], EVENT)
        assert run.samples(4).shape[0] == 4
        run.step()
    for p, q in zip(_params(runs[0]), _params(runs[1]), strict=True):
        assert torch.equal(p, q)


@pytest.mark.parametrize("size", [0, 15, 17, 5055, 100])
def test_a_stream_state_of_no_device_is_still_damage(tmp_path, size):
    run = Run(RunConfig(**SMALL))
    state = checkpoint.state_of(run)
    state["gens"]["z"] = torch.zeros(size, dtype=torch.uint8)
    torch.save(state, tmp_path / "bad.pt")
    with pytest.raises(checkpoint.CheckpointError,
                       match="damaged or from an incompatible build.*random stream 'z'"):
        checkpoint.load(tmp_path / "bad.pt")


def test_a_cpu_sized_state_that_is_garbage_is_damage(tmp_path):
    run = Run(RunConfig(**SMALL))
    state = checkpoint.state_of(run)
    state["gens"]["data"] = torch.full((streams.STATE_BYTES["cpu"],), 7, dtype=torch.uint8)
    torch.save(state, tmp_path / "bad.pt")
    with pytest.raises(checkpoint.CheckpointError, match="damaged or from an incompatible"):
        checkpoint.load(tmp_path / "bad.pt")


@pytest.mark.parametrize("device", DEVICES)
def test_streams_from_the_other_device_are_reseeded(device):
    """On each device present, a state of the other device's size restarts the stream."""
    other = "cuda" if device == "cpu" else "cpu"
    gens = {name: streams.generator(5, name, device) for name in streams.TRAINING}
    foreign = {name: torch.zeros(streams.STATE_BYTES[other], dtype=torch.uint8)
               for name in gens}
    fitted, note = streams.fitted_states(foreign, gens, seed=5, step=40)
    assert note == f"random streams re-seeded: saved on {other}, running on {device}"
    for name, state in fitted.items():
        gens[name].set_state(state)
        fresh = torch.Generator(device).manual_seed(streams.reseed_of(5, name, 40))
        assert torch.equal(gens[name].get_state(), fresh.get_state())
    own = {name: g.get_state() for name, g in gens.items()}
    kept, note = streams.fitted_states(own, gens, seed=5, step=40)
    assert note == "" and all(kept[n] is own[n] for n in own)


def test_reseeds_differ_by_stream_seed_and_step_and_from_the_run_seeds():
    seeds = {streams.reseed_of(s, name, step) for s in range(3) for name in streams.STREAMS
             for step in (0, 1, 1000)}
    assert len(seeds) == 3 * len(streams.STREAMS) * 3
    assert seeds.isdisjoint({streams.seed_of(s, n) for s in range(3) for n in streams.STREAMS})
