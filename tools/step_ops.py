"""What one training step asks of ATen, counted on any device: every op (a cheap stand-in for
kernel launches), host syncs, data-dependent shapes and random ops without a generator.

A `TorchDispatchMode` sees each ATen call below autograd (forward and backward alike). The
guards in tests/engine/test_gpu_guards.py and tools/gpu_check.py use it; nothing in playground/
does.
What it cannot see on a CPU: `.cpu()` / `.to("cpu")` of a tensor already on the CPU returns the
tensor itself without an ATen call, so a device-to-host copy shows only where the run lives on
another device (CUDA); `float(t)`, `t.item()`, `bool(t)` and `if t:` all show (as
aten._local_scalar_dense) on every device.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import torch
from torch.utils._python_dispatch import TorchDispatchMode

# A host read: the value must reach Python, so a CUDA stream drains (and a graph cannot hold it).
SYNC_OPS = frozenset({"_local_scalar_dense", "equal", "allclose", "is_nonzero"})
# Output shape depends on the values: the host must read a count (a sync), and a CUDA graph,
# which fixes every shape at capture, cannot hold the op.
DATA_SHAPED_OPS = frozenset({"nonzero", "masked_select", "_unique", "_unique2", "unique_dim",
                             "unique_consecutive", "unique_dim_consecutive", "repeat_interleave",
                             "masked_scatter", "argwhere"})
# Random ops: each must name its generator (an overload without one, e.g. randn.default, draws
# from the global default stream). native_dropout and the *_like ops have no generator at all.
RANDOM_OPS = frozenset({"randn", "rand", "randint", "randperm", "normal", "normal_", "uniform_",
                        "bernoulli", "bernoulli_", "multinomial", "exponential_", "random_",
                        "cauchy_", "log_normal_", "geometric_", "poisson", "_standard_gamma",
                        "native_dropout", "rrelu_with_noise", "randn_like", "rand_like",
                        "randint_like"})


def _name(func) -> str:
    return func._schema.name.split("::")[-1]


def _unseeded(func, kwargs: dict, args: tuple) -> bool:
    """True for a random op that draws without an explicit generator."""
    if _name(func) not in RANDOM_OPS:
        return False
    for i, arg in enumerate(func._schema.arguments):
        if arg.name == "generator":
            return kwargs.get("generator", args[i] if i < len(args) else None) is None
    return True  # no generator parameter in this overload


def _to_host(name: str, args: tuple, kwargs: dict) -> bool:
    """A copy from a non-CPU tensor into host memory (a sync on CUDA)."""
    if name == "_to_copy" and args and isinstance(args[0], torch.Tensor):
        target = kwargs.get("device")
        return args[0].device.type != "cpu" and target is not None and \
            torch.device(target).type == "cpu"
    if name == "copy_" and len(args) > 1 and all(isinstance(a, torch.Tensor) for a in args[:2]):
        return args[0].device.type == "cpu" and args[1].device.type != "cpu"
    return False


class StepOps(TorchDispatchMode):
    """Counts ATen calls while active: `ops` (name -> calls), `syncs`, `data_shaped` and
    `unseeded` (lists of op names, in call order)."""

    def __init__(self):
        super().__init__()
        self.ops: Counter[str] = Counter()
        self.syncs: list[str] = []
        self.data_shaped: list[str] = []
        self.unseeded: list[str] = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = _name(func)
        self.ops[name] += 1
        if name in SYNC_OPS or _to_host(name, args, kwargs):
            self.syncs.append(name)
        if name in DATA_SHAPED_OPS:
            self.data_shaped.append(name)
        if _unseeded(func, kwargs, args):
            self.unseeded.append(name)
        return func(*args, **kwargs)

    @property
    def total(self) -> int:
        return sum(self.ops.values())


def count(fn: Callable[[], object], repeats: int = 1) -> StepOps:
    """`fn()` run `repeats` times under one StepOps."""
    with StepOps() as mode:
        for _ in range(repeats):
            fn()
    return mode


def run_steps(run, n: int) -> StepOps:
    """`n` training iterations of a `Run` (its `_advance`: n_critic D updates and a G update)
    counted, with no flush among them: the loss log's host copy happens every FLUSH_EVERY
    steps, outside the step, so pending losses are flushed first and after (not counted)."""
    from playground.engine.losslog import FLUSH_EVERY
    if n >= FLUSH_EVERY:
        raise ValueError(f"n={n}: at most {FLUSH_EVERY - 1} steps fit between two flushes")
    run.flush()
    mode = count(run._advance, n)
    run.flush()
    return mode
