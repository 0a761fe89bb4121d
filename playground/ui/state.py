"""The one owner of session-state keys, their defaults, config <-> widget values, and the rule
for what a config change does to a live run (it reads `RunConfig.diff`, never its own list).

Streamlit-free: every function takes the session-state mapping, so a plain dict serves in
tests. Each page registers a namespace (`NAMESPACES.add`) with its keys' defaults and, if it
edits a `RunConfig`, its control table. Widget keys never collide with state keys:
`<ns>.w<gen>.<field>` (a control's value), `<ns>.on<gen>.<field>` (a remedy's toggle),
`<ns>.b.<name>` (buttons).

Why the generation `<gen>` (one per field): when the page sets a control itself (a loss brings
its remedy, a preset or a shipped run loads), the browser learns the new value only with the
next render. A rerun request sent in between (a fragment's timer fires five times a second)
carries the old value and Streamlit would write it back over the new one: switching to WGAN-GP
then ran it with the penalty off. So a control whose value the page changes is drawn under a
new key, and the stale value lands on the old key, which no control reads any more.

Only the controls whose value changes get a new key. When every control was renamed on every
loss switch, the browser kept showing (and reporting) the old controls until the renaming run
had finished, seconds under load: a change the user made on them arrived under a dead key and
was dropped, and their echoes fired the loss callback again, which renamed every control again
(the lecture rehearsal lost one live change in four). The old controls' reports are sorted by
`session.reconcile`: the value a control was drawn with (`drawn`) is an echo, anything else
is the user's change on the control they saw, and it is applied.
"""
from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from playground import models
from playground.config import RunConfig, arch_of
from playground.data import datasets
from playground.presets import config_for, switch_loss
from playground.registry import Registry
from playground.speeds import DEFAULT_SPEED
from playground.ui.controls import CONTROLS, DATASET_FIELDS, IMAGE_CONTROLS, Control

State = MutableMapping[str, Any]


@dataclass(frozen=True)
class Namespace:
    defaults: dict[str, Callable[[], Any]]  # key -> factory (fresh mutable values per session)
    controls: dict[str, Control] = field(default_factory=dict)  # the page's config form
    kind: str | None = None  # a lab's data kind ("points2d" | "image"); None for other pages
    default_preset: str = ""  # a lab's first preset (and the baseline of its links)
    title: str = ""


NAMESPACES: Registry[Namespace] = Registry("state namespace")
LAB = "lab2d"
LAB_KEYS: dict[str, Callable[[], Any]] = {
    "cfg": RunConfig,  # the config the controls show (what the user asked for)
    "trainer": lambda: None,  # serve.clients.Trainer: this session's run and its process
    "points": lambda: None,  # (N, 2) float32 uploaded points for dataset "custom"
    "upload_name": lambda: "",  # the file `points` came from
    "preset": lambda: "ns",  # the last preset applied (its caption is shown)
    "shipped": lambda: None,  # id of the shipped run this run started from (None: fresh)
    "fresh": lambda: "",  # non-empty: the next sync starts a new run, with this reason
    "notices": list,  # (level, text) shown once on the next render, as toasts
    "url_warnings": list,  # problems found in the opening link, shown until dismissed
    "present": lambda: False,  # presenter mode
    "hidden": frozenset,  # fields whose controls presenter mode hides
    "speed": lambda: DEFAULT_SPEED,  # id of a row of speeds.SPEEDS (pace or slow motion)
    "follow": lambda: None,  # token of the run this tab follows read-only (None: its own)
    "token": lambda: None,  # this tab's own run's token, for its viewer link
    "frame_times": list,  # monotonic times of recent new pictures (frames/s readout)
    "frame_shown": lambda: None,  # the step of the last picture counted there
    "png": lambda: None,  # (step, bytes) of the last PNG export
    "revert": lambda: False,  # the controls asked for an invalid config: reset them to cfg
    "gens": dict,  # field -> generation of its control keys (see the module docstring)
    "drawn": dict,  # control key -> (part "w"|"on", field, the value it was last drawn with)
    "ready": lambda: False,  # init() has run for this session
}
NAMESPACES.add(LAB, Namespace(LAB_KEYS, CONTROLS, "points2d", "ns", "2D GAN lab"))
MNIST = "mnist"
NAMESPACES.add(MNIST, Namespace({**LAB_KEYS, "cfg": lambda: config_for("dcgan"),
                                 "preset": lambda: "dcgan"},
                                IMAGE_CONTROLS, "image", "dcgan", "MNIST lab"))


def key(name: str, ns: str = LAB) -> str:
    return f"{ns}.{name}"


def generation(ss: State, field: str, ns: str = LAB) -> int:
    return ss.get(key("gens", ns), {}).get(field, 0)


def widget_key(ss: State, field: str, ns: str = LAB) -> str:
    """The key of the control editing `field`, in its current generation."""
    return key(f"w{generation(ss, field, ns)}.{field}", ns)


def toggle_key(ss: State, field: str, ns: str = LAB) -> str:
    return key(f"on{generation(ss, field, ns)}.{field}", ns)


def ensure(ss: State, ns: str = LAB) -> None:
    """Give every key of namespace `ns` its default if this session has none yet."""
    for name, factory in NAMESPACES.get(ns).defaults.items():
        if key(name, ns) not in ss:
            ss[key(name, ns)] = factory()


def get(ss: State, name: str, ns: str = LAB) -> Any:
    return ss[key(name, ns)]


def put(ss: State, name: str, value: Any, ns: str = LAB) -> None:
    ss[key(name, ns)] = value


def notify(ss: State, level: str, text: str, ns: str = LAB) -> None:
    """Queue a one-off message ("info" | "success" | "warning" | "error") for the next render."""
    ss[key("notices", ns)] = [*ss.get(key("notices", ns), []), (level, text)]


class Page:
    """One page's view of the session state: the functions of this module bound to its
    namespace, so a lab's controller reads `page.get("cfg")`, not `get(ss, "cfg", ns)`."""

    def __init__(self, ss: State, ns: str = LAB):
        self.ss, self.ns = ss, ns
        self.spec = NAMESPACES.get(ns)

    @property
    def controls(self) -> dict[str, Control]:
        return self.spec.controls

    def key(self, name: str) -> str:
        return key(name, self.ns)

    def get(self, name: str) -> Any:
        return get(self.ss, name, self.ns)

    def put(self, name: str, value: Any) -> None:
        put(self.ss, name, value, self.ns)

    def notify(self, level: str, text: str) -> None:
        notify(self.ss, level, text, self.ns)

    def widget_key(self, field: str) -> str:
        return widget_key(self.ss, field, self.ns)

    def toggle_key(self, field: str) -> str:
        return toggle_key(self.ss, field, self.ns)

    def widget_values(self, cfg: RunConfig) -> dict[str, Any]:
        return widget_values(self.ss, cfg, self.ns)

    def note_drawn(self, control_key: str, part: str, field: str) -> None:
        note_drawn(self.ss, control_key, part, field, self.ns)

    def write_widgets(self, cfg: RunConfig, since: RunConfig | None = None) -> None:
        write_widgets(self.ss, cfg, self.ns, since)

    def field_value(self, control: Control, cfg: RunConfig) -> Any:
        return field_value(control, self.ss, cfg, self.ns)

    def requested_config(self, rendered: dict[str, Any]) -> tuple[RunConfig, str]:
        return requested_config(self.ss, rendered, self.ns)


# ---- config <-> widgets ---------------------------------------------------------------------
def display_value(control: Control, cfg: RunConfig) -> Any:
    """The value a control shows for `cfg`; dataset parameters left at None show the dataset's
    own default (ring: 8 modes, grid: 25), an architecture left at None the data's (mlp,
    dcgan)."""
    if control.field in DATASET_FIELDS:
        resolved = datasets.DATASETS.get(cfg.dataset).resolve(cfg)
        return getattr(resolved, control.field)
    if control.field == "arch":  # None: the data's own (an empty select read "Choose")
        return arch_of(cfg)
    return getattr(cfg, control.field)


def _control_values(ss: State, control: Control, cfg: RunConfig, ns: str) -> dict[str, Any]:
    """{key: value} of one control's widgets (its toggle, its value) showing `cfg`."""
    value = display_value(control, cfg)
    out: dict[str, Any] = {}
    if control.toggle is not None:
        on = bool(value)
        out[toggle_key(ss, control.field, ns)] = on
        value = value if on else control.on_value
    out[widget_key(ss, control.field, ns)] = value
    return out


def widget_values(ss: State, cfg: RunConfig, ns: str = LAB) -> dict[str, Any]:
    """Session-state widget keys (current generations) and values that show `cfg`."""
    out: dict[str, Any] = {}
    for c in NAMESPACES.get(ns).controls.values():
        out.update(_control_values(ss, c, cfg, ns))
    return out


def write_widgets(ss: State, cfg: RunConfig, ns: str = LAB,
                  since: RunConfig | None = None) -> None:
    """Point every control at `cfg` (call from callbacks and on the first run, before the
    widgets render). A control that holds another value moves to a new key generation; one
    that shows its value already, or holds none (not drawn), keeps its key. `since`: only the
    controls that show another value for `cfg` than for `since` (a follow-up's changes), so a
    change the user made on another control in the same request stays."""
    gens = dict(ss.get(key("gens", ns), {}))
    for c in NAMESPACES.get(ns).controls.values():
        if since is not None and display_value(c, since) == display_value(c, cfg):
            continue
        wanted = _control_values(ss, c, cfg, ns)
        if any(k in ss and ss[k] != v for k, v in wanted.items()):
            gens[c.field] = gens.get(c.field, 0) + 1
            ss[key("gens", ns)] = gens
            wanted = _control_values(ss, c, cfg, ns)
        ss.update(wanted)
    ss[key("gens", ns)] = gens


def note_drawn(ss: State, control_key: str, part: str, field: str, ns: str = LAB) -> None:
    """Record the value control `control_key` (`part` "w" | "on" of `field`) was drawn with
    (after drawing it)."""
    drawn = ss.get(key("drawn", ns))
    if drawn is None:
        drawn = ss[key("drawn", ns)] = {}
    drawn[control_key] = (part, field, ss[control_key])


def field_value(control: Control, ss: State, cfg: RunConfig, ns: str = LAB) -> Any:
    """The config value a rendered control stands for. Dataset parameters equal to the
    dataset's default become None, so switching dataset picks the new dataset's default (and
    the data's own architecture stays None)."""
    value = ss[widget_key(ss, control.field, ns)]
    if control.toggle is not None and not ss.get(toggle_key(ss, control.field, ns), False):
        return 0 if isinstance(getattr(RunConfig(), control.field), int) else 0.0
    if control.field in DATASET_FIELDS:
        default = getattr(datasets.DATASETS.get(cfg.dataset).defaults, control.field)
        return None if value == default else value
    if control.field == "arch" and cfg.arch is None and value == arch_of(cfg):
        return None  # still the data's own: switching data then picks the new data's
    if control.field == "seed":
        return int(value)
    return value


def switch_dataset(cfg: RunConfig, dataset: str) -> RunConfig:
    """`cfg` on another dataset with that dataset's own parameters (None = its defaults)."""
    return cfg.replace(dataset=dataset, **{f: None for f in DATASET_FIELDS})


def switch_arch(cfg: RunConfig, arch: str) -> RunConfig:
    """`cfg` with another architecture, its width brought into that architecture's range."""
    lo, hi = models.MODELS.get(arch).width_range
    return cfg.replace(arch=arch, width=min(max(cfg.width, lo), hi))


# Selecting these fields changes others with them (see the functions); called by the widgets'
# on_change callbacks, before the script reads the widgets.
FOLLOW_UPS: dict[str, Callable[[RunConfig, Any], RunConfig]] = {
    "loss": switch_loss, "dataset": switch_dataset, "arch": switch_arch,
}


# ---- what a change does to the run ------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    kind: str  # "none" | "live" (weights kept) | "reset" (new run)
    fields: tuple[str, ...]  # the fields that changed (for "reset": those that force it)
    message: str


def decide(old: RunConfig, new: RunConfig) -> Change:
    """The one rule, read from `RunConfig.diff`: fields that need new weights start a new run;
    the rest apply live."""
    diff = old.diff(new)
    if diff.reset:
        return Change("reset", diff.reset, f"Changed {', '.join(diff.reset)}: that needs new "
                      "weights, so a new run started.")
    if not diff:
        return Change("none", (), "")
    return Change("live", diff.fields, f"Applied {', '.join(diff.fields)} to the current run "
                  "(weights kept).")


def requested_config(ss: State, rendered: dict[str, Any], ns: str = LAB
                     ) -> tuple[RunConfig, str]:
    """The config the rendered controls ask for, or the previous one and why not (e.g. a grid
    needs a square number of modes). `rendered` maps field -> config value."""
    cfg: RunConfig = get(ss, "cfg", ns)
    if all(getattr(cfg, name) == value for name, value in rendered.items()):
        return cfg, ""  # nothing changed: `cfg` was validated when it was stored
    try:
        return cfg.replace(**rendered), ""
    except ValueError as e:
        return cfg, f"Not applied: {e}."
