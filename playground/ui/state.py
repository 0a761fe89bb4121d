"""The one owner of session-state keys, their defaults, config <-> widget values, and the rule
for what a config change does to a live run (it asks `config.needs_reset`, never its own list).

Streamlit-free: every function takes the session-state mapping, so a plain dict serves in
tests. Pages register a namespace of keys with defaults (`NAMESPACES.add`); the theory page can
add its own the same way. Widget keys never collide with these: `<ns>.w.<name>` (a control's
value), `<ns>.on.<field>` (a remedy's on/off toggle), `<ns>.b.<name>` (buttons).
"""
from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, fields
from typing import Any

from .. import datasets
from ..config import RunConfig, needs_reset
from ..losses import LOSSES
from ..registry import Registry
from .controls import CONTROLS, DATASET_FIELDS, Control

State = MutableMapping[str, Any]


@dataclass(frozen=True)
class Namespace:
    defaults: dict[str, Callable[[], Any]]  # key -> factory (fresh mutable values per session)


NAMESPACES: Registry[Namespace] = Registry("state namespace")
LAB = "lab2d"
NAMESPACES.add(LAB, Namespace({
    "cfg": RunConfig,  # the config the controls show (what the user asked for)
    "trainer": lambda: None,  # live.Trainer: this session's run and worker thread
    "points": lambda: None,  # (N, 2) float32 uploaded points for dataset "custom"
    "upload_id": lambda: None,  # which upload `points` came from (a new file = a new run)
    "preset": lambda: "ns",  # the last preset applied (its caption is shown)
    "shipped": lambda: None,  # id of the shipped run this run started from (None: fresh)
    "fresh": lambda: "",  # non-empty: the next sync starts a new run, with this reason
    "notices": list,  # (level, text) shown once on the next render
    "url_warnings": list,  # problems found in the opening link, shown until dismissed
    "present": lambda: False,  # presenter mode
    "hidden": frozenset,  # fields whose controls presenter mode hides
    "frame_times": list,  # monotonic times of recent live draws (frames/s readout)
    "png": lambda: None,  # (step, bytes) of the last PNG export
    "revert": lambda: False,  # the controls asked for an invalid config: reset them to cfg
    "ready": lambda: False,  # init() has run for this session
}))


def key(name: str, ns: str = LAB) -> str:
    return f"{ns}.{name}"


def widget_key(field: str) -> str:
    return key(f"w.{field}")


def toggle_key(field: str) -> str:
    return key(f"on.{field}")


def ensure(ss: State, ns: str = LAB) -> None:
    """Give every key of namespace `ns` its default if this session has none yet."""
    for name, factory in NAMESPACES.get(ns).defaults.items():
        if key(name, ns) not in ss:
            ss[key(name, ns)] = factory()


def get(ss: State, name: str, ns: str = LAB) -> Any:
    return ss[key(name, ns)]


def put(ss: State, name: str, value: Any, ns: str = LAB) -> None:
    ss[key(name, ns)] = value


def notify(ss: State, level: str, text: str) -> None:
    """Queue a one-off message ("info" | "success" | "warning" | "error") for the next render."""
    ss[key("notices")] = [*ss.get(key("notices"), []), (level, text)]


# ---- config <-> widgets ---------------------------------------------------------------------
def display_value(control: Control, cfg: RunConfig) -> Any:
    """The value a control shows for `cfg`; dataset parameters left at None show the dataset's
    own default (ring: 8 modes, grid: 25)."""
    if control.field in DATASET_FIELDS:
        resolved = datasets.DATASETS.get(cfg.dataset).resolve(cfg)
        return getattr(resolved, control.field)
    return getattr(cfg, control.field)


def widget_values(cfg: RunConfig) -> dict[str, Any]:
    """Session-state widget keys and values that make every control show `cfg`."""
    out: dict[str, Any] = {}
    for c in CONTROLS.values():
        value = display_value(c, cfg)
        if c.toggle is not None:
            on = bool(value)
            out[toggle_key(c.field)] = on
            value = value if on else c.on_value
        out[widget_key(c.field)] = value
    return out


def write_widgets(ss: State, cfg: RunConfig) -> None:
    """Point every control at `cfg` (call before the widgets render: callbacks, first run)."""
    ss.update(widget_values(cfg))


def field_value(control: Control, ss: State, cfg: RunConfig) -> Any:
    """The config value a rendered control stands for. Dataset parameters equal to the
    dataset's default become None, so switching dataset picks the new dataset's default."""
    value = ss[widget_key(control.field)]
    if control.toggle is not None and not ss.get(toggle_key(control.field), False):
        return 0 if isinstance(getattr(RunConfig(), control.field), int) else 0.0
    if control.field in DATASET_FIELDS:
        default = getattr(datasets.DATASETS.get(cfg.dataset).defaults, control.field)
        return None if value == default else value
    if control.field == "seed":
        return int(value)
    return value


def switch_loss(cfg: RunConfig, loss: str) -> RunConfig:
    """`cfg` with another loss, swapping the remedies losses come with: the old loss's
    defaults are cleared if still at their default values, the new loss's are filled in
    (wgan brings clip_c 0.01, wgan_gp brings gp_lambda 10; leaving them drops them)."""
    base, changes = RunConfig(), {"loss": loss}
    for name, value in LOSSES.get(cfg.loss).defaults.items():
        if getattr(cfg, name) == value:
            changes[name] = getattr(base, name)
    changes.update(LOSSES.get(loss).defaults)
    return cfg.replace(**changes)


def switch_dataset(cfg: RunConfig, dataset: str) -> RunConfig:
    """`cfg` on another dataset with that dataset's own parameters (None = its defaults)."""
    return cfg.replace(dataset=dataset, **{f: None for f in DATASET_FIELDS})


# Selecting these fields changes others with them (see the functions); called by the widgets'
# on_change callbacks, before the script reads the widgets.
FOLLOW_UPS: dict[str, Callable[[RunConfig, Any], RunConfig]] = {
    "loss": switch_loss, "dataset": switch_dataset,
}


# ---- what a change does to the run ------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    kind: str  # "none" | "live" (weights kept) | "reset" (new run)
    fields: tuple[str, ...]  # the fields that changed (for "reset": those that force it)
    message: str


def decide(old: RunConfig, new: RunConfig) -> Change:
    """The one rule: fields named by `needs_reset` start a new run; the rest apply live."""
    reset = needs_reset(old, new)
    if reset:
        return Change("reset", tuple(reset), f"Changed {', '.join(reset)}: that needs new "
                      "weights, so a new run started.")
    changed = tuple(f.name for f in fields(RunConfig)
                    if getattr(old, f.name) != getattr(new, f.name))
    if not changed:
        return Change("none", (), "")
    return Change("live", changed, f"Applied {', '.join(changed)} to the current run "
                  "(weights kept).")


def requested_config(ss: State, rendered: dict[str, Any]) -> tuple[RunConfig, str]:
    """The config the rendered controls ask for, or the previous one and why not (e.g. a grid
    needs a square number of modes). `rendered` maps field -> config value."""
    cfg: RunConfig = get(ss, "cfg")
    try:
        return cfg.replace(**rendered), ""
    except ValueError as e:
        return cfg, f"Not applied: {e}."
