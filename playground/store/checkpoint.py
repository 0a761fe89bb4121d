"""Checkpoints of runs (2D or images): weights, optimiser state, random streams, histories and
the config that made them.

A checkpoint always carries its config (nanoGPT's habit), so `load` rebuilds the exact run.
Anything unreadable raises `CheckpointError` with a message fit for the user, never a raw
unpickling traceback; `torch.load(weights_only=True)` refuses arbitrary pickled code, and an
expected SHA-256 (a shipped file's manifest entry) is checked on the very bytes that are then
parsed. Optimiser state is stored by parameter name and every moment's shape is checked against
its parameter on load, so a stale or crafted file is refused before it reaches a fused kernel.
Version 1 files (2D runs with one random stream) and version 2 files (optimiser state by
position, as `Optimizer.state_dict` numbers it) still load. Every tensor is saved on the CPU
and the file records the device that made it: a run saved on a GPU opens on a laptop and the
other way round, its random streams re-seeded where their states do not fit (`streams`).
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import torch

from playground.config import arch_of, from_dict
from playground.engine import losslog, streams
from playground.engine.run import Run
from playground.store import manifest

FORMAT = "gan-playground/run"
VERSION = 3  # 3: optimiser state keyed by parameter name (2: by position)
OLD_FORMATS = {("gan-playground/run2d", 1),  # 2D runs before images: one random stream
               ("gan-playground/run", 2)}  # optimiser state by position


class CheckpointError(ValueError):
    """A checkpoint that cannot be used, with the reason."""


def state_of(run: Run, moments: bool = True) -> dict:
    """Everything `load` needs, as tensors and plain values (what `save` writes). Without
    `moments` the optimisers' state is left out (their settings stay): the run loads with
    fresh moments, as the first steps of a new run have (a shipped file; see
    `pretrained.rebuild`)."""
    run.flush()
    opts = {key: named_opt_state(getattr(run, key), net)
            for key, net in (("opt_d", run.D), ("opt_g", run.G))}
    if not moments:
        opts = {key: {**o, "state": {}} for key, o in opts.items()}
    return {
        "format": FORMAT, "version": VERSION, "kind": run.data.kind, "arch": run.arch,
        "config": run.cfg.to_dict(), "step": run.step_count,
        "G": on_cpu(run.G.state_dict()), "D": on_cpu(run.D.state_dict()),
        "opt_d": on_cpu(opts["opt_d"]), "opt_g": on_cpu(opts["opt_g"]),
        "gens": {k: g.get_state() for k, g in run.gens.items()},  # CPU byte tensors
        "device": str(run.device),  # what made it: its streams' states fit that device only
        "points": None if run.points is None else torch.as_tensor(run.points),
        "history": run.history, "metric_history": run.metric_history,
        "protocol_history": run.protocol_history,
        "events": [list(e) for e in run.events],
    } | ({} if run.G_ema is None else {"G_ema": on_cpu(run.G_ema.state_dict())})


def on_cpu(tree):
    """A state dict with every tensor on the CPU: a file made on a GPU opens anywhere."""
    return losslog.map_tensors(tree, lambda t: t.detach().cpu())


def save(run: Run, path: str | Path, moments: bool = True) -> None:
    torch.save(state_of(run, moments), Path(path))


def to_bytes(run: Run) -> bytes:
    """The run as checkpoint bytes (what `save` writes): a download, or a parked run."""
    buf = io.BytesIO()
    torch.save(state_of(run), buf)
    return buf.getvalue()


def state_from_bytes(data: bytes) -> dict:
    """The `state_of` dict in checkpoint bytes: tensors and plain containers only, never
    pickled code (bytes this build made; files from users go through `read`)."""
    return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)


def read(path: str | Path, expected_sha256: str | None = None) -> dict:
    """The checked contents of a checkpoint file (no run built): `manifest.read_checked`'s
    bytes, the very ones its SHA-256 check passed, parsed. Messages name the file, never the
    folder it sits in (an upload's is a server temp folder)."""
    name = Path(path).name
    data = manifest.read_checked(path, expected_sha256, CheckpointError)
    try:
        state = state_from_bytes(data)
    except Exception:  # torch raises many types (some named just 'error') for such files
        raise CheckpointError(f"{name} is not a readable checkpoint: it is truncated, damaged "
                              "or not a file this app saved") from None
    if not isinstance(state, dict) or "format" not in state:
        raise CheckpointError(f"{name} is not a GAN Playground checkpoint")
    known = (state.get("format"), state.get("version"))
    if known != (FORMAT, VERSION) and known not in OLD_FORMATS:
        raise CheckpointError(f"{name} has format {known[0]!r} version {known[1]!r}; this "
                              f"build reads {FORMAT!r} version {VERSION}")
    return state


def load(path: str | Path, device: torch.device | None = None,
         expected_sha256: str | None = None, arch: str | None = None,
         kind: str | None = None) -> Run:
    """The run saved at `path`, ready to train on. `arch` / `kind`: refuse any other
    architecture / kind of data (e.g. a 2D run uploaded to the MNIST lab)."""
    state = read(path, expected_sha256)
    name = Path(path).name
    saved_kind = state.get("kind", "points2d")  # version 1 files are all 2D
    if kind is not None and saved_kind != kind:
        raise CheckpointError(f"{name} holds a run on {saved_kind} data; this "
                              f"page trains {kind} data")
    if arch is not None:
        try:
            saved = arch_of(from_dict(state["config"]))
        except (KeyError, TypeError, ValueError) as e:
            raise CheckpointError(f"{name} has an unusable config: {e}") from None
        if saved != arch:
            raise CheckpointError(f"{name} holds a {saved!r} model; this needs {arch!r}")
    return from_state(state, device, name)


def from_state(state: dict, device: torch.device | None = None, path: str | Path = "state"
               ) -> Run:
    """The run a `state_of` dict describes (a file's contents, or a parked job's)."""
    try:
        cfg = from_dict(state["config"])
    except (KeyError, TypeError, ValueError) as e:
        raise CheckpointError(f"{path} has an unusable config: {e}") from None
    try:
        points = state["points"]
        run = Run(cfg, None if points is None else np.asarray(points), device=device)
        gens = state.get("gens") or {"data": state["gen"]}  # version 1: one stream
        # a stream saved on another device restarts from (seed, step), with an event
        gens, moved = streams.fitted_states(gens, run.gens, cfg.seed, int(state["step"]),
                                            str(state.get("device", "")).split(":")[0])
        by_name = state.get("version", VERSION) >= 3
        opts = {key: positional_opt_state(state[key], getattr(run, key), module,
                                          None if by_name else list(state[net]))
                for key, net, module in (("opt_d", "D", run.D), ("opt_g", "G", run.G))}
        run.load_state({"step": state["step"], "G": state["G"], "D": state["D"], **opts,
                        "gens": gens, "G_ema": state.get("G_ema")})
    except (KeyError, RuntimeError, ValueError, TypeError) as e:
        raise CheckpointError(f"{path} is damaged or from an incompatible build: {e}") from None
    bad = run.non_finite_net()
    if bad is not None:  # a run rolls back to finite weights, so no run of ours saves these
        raise CheckpointError(f"{path} holds NaN or infinite {bad} weights")
    run.history = {k: list(v) for k, v in state.get("history", {}).items()}
    run.metric_history = {k: list(v) for k, v in state.get("metric_history", {}).items()}
    run.protocol_history = {k: list(v) for k, v in state.get("protocol_history",
                                                            {"step": []}).items()}
    run.events = [(int(s), str(t)) for s, t in state.get("events", [])]
    if moved:
        run.events.append((run.step_count, moved))
    if run.metric_history.get("step"):  # what the tiles showed when it was saved
        run.latest_metrics = {k: v[-1] for k, v in run.metric_history.items() if k != "step"}
    return run


# ---- optimiser state by parameter name ------------------------------------------------------
def _names_by_position(opt: torch.optim.Optimizer, module: torch.nn.Module) -> list[str]:
    """The names of `opt`'s parameters in the order `Optimizer.state_dict` numbers them."""
    name_of = {id(p): n for n, p in module.named_parameters()}
    return [name_of[id(p)] for group in opt.param_groups for p in group["params"]]


def named_opt_state(opt: torch.optim.Optimizer, module: torch.nn.Module) -> dict:
    """`opt.state_dict()` with each parameter's number replaced by its name in `module`. The
    numbers are positions, and a rebuilt module need not list its parameters in the same
    order (spectral norm on, then off, re-registers each weight after its bias)."""
    names = _names_by_position(opt, module)
    saved = opt.state_dict()
    return {"state": {names[i]: s for i, s in saved["state"].items()},
            "param_groups": [{**g, "params": [names[i] for i in g["params"]]}
                             for g in saved["param_groups"]]}


def positional_opt_state(saved: dict, opt: torch.optim.Optimizer, module: torch.nn.Module,
                         saved_keys: list[str] | None = None) -> dict:
    """A saved optimiser state as `opt.load_state_dict` takes it, after checking that it names
    exactly `opt`'s parameters and that every moment has its parameter's shape:
    `load_state_dict` checks neither, and a fused kernel given a moment of the wrong shape
    writes out of bounds (a segfault). `saved_keys`: the saved module state dict's keys, for
    version 1-2 files whose optimiser state is by position; the saving module listed its
    parameters in that order (a D whose spectral norm went on and off put each bias first)."""
    names = _names_by_position(opt, module)
    params = dict(module.named_parameters())
    groups = saved["param_groups"]
    state = saved["state"]
    if saved_keys is not None:
        order = [k for k in saved_keys if k in params]
        if sorted(order) != sorted(names):
            order = names  # let the checks below say what does not fit
        numbers = [i for g in groups for i in g["params"]] + list(state)
        if any(not isinstance(i, int) or not 0 <= i < len(order) for i in numbers):
            raise CheckpointError("the optimiser state numbers parameters this model lacks")
        groups = [{**g, "params": [order[i] for i in g["params"]]} for g in groups]
        state = {order[i]: s for i, s in state.items()}
    if len(groups) != len(opt.param_groups):
        raise CheckpointError(f"the optimiser state has {len(groups)} parameter groups, "
                              f"expected {len(opt.param_groups)}")
    position = {n: i for i, n in enumerate(names)}
    out_groups, start = [], 0
    for g, live in zip(groups, opt.param_groups, strict=True):
        mine = names[start:start + len(live["params"])]
        start += len(live["params"])
        if sorted(map(str, g["params"])) != sorted(mine):
            missing = sorted(set(mine) - set(map(str, g["params"])))
            raise CheckpointError("the optimiser state does not name this model's parameters"
                                  + (f" (missing {', '.join(missing[:3])})" if missing else ""))
        out_groups.append({**g, "params": [position[n] for n in mine]})
    out_state = {}
    for name, moments in state.items():
        if name not in params:
            raise CheckpointError(f"the optimiser state names {name!r}, which this model "
                                  "does not have")
        if not isinstance(moments, dict):
            raise CheckpointError(f"the optimiser state for {name} is not a table of tensors")
        expected = tuple(params[name].shape)
        checked = {}
        for key, value in moments.items():
            if value is None or isinstance(value, (int, float)):
                checked[key] = value  # SGD's empty momentum buffer; a step count as a number
                continue
            if not isinstance(value, torch.Tensor):
                raise CheckpointError(f"optimiser state {key} for {name} is a "
                                      f"{type(value).__name__}, not a tensor")
            want = () if key == "step" else expected  # the step count is a scalar tensor
            if tuple(value.shape) != want:
                raise CheckpointError(f"optimiser state for {name} has shape "
                                      f"{tuple(value.shape)}, expected {want}")
            checked[key] = value.contiguous()  # a kernel writes it in place: no odd strides
        out_state[position[name]] = checked
    return {"state": out_state, "param_groups": out_groups}
