"""The labs' link codec: link <-> configuration (TensorFlow Playground's shareable state).

A link holds only what differs from its baseline (the preset it names, or the defaults), so it
stays short and readable: `?preset=collapse&dataset=grid&seed=3`. Reading never raises: each bad
parameter is dropped with a warning and its default kept. Page options ride along: `present=1`
(presenter mode), `hide=seed,width` (controls to hide in presenter mode), `speed=full` (a row of
`playground.speeds`: `full` speed, `1` training step per picture for slow motion; the class pace
is the default) and `follow=TOKEN` (watch another tab's run). `shipped=r1_ring`
starts from a shipped run of pretrained/ instead of fresh weights: its config is then the
baseline, and only changes that keep the weights (lr, loss, remedies...) may ride along.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, fields

from playground.config import RunConfig, needs_reset, parse_value
from playground.data.datasets import kind_of
from playground.presets import PRESETS, config_for, ids_for, switch_loss
from playground.speeds import DEFAULT_SPEED
from playground.store import pretrained
from playground.ui.controls import CONTROLS
from playground.ui.urlstate.common import is_on, last_values, speed_of

UI_KEYS = ("preset", "present", "hide", "shipped", "speed", "follow")
DEFAULT_PRESET = {"points2d": "ns", "image": "dcgan"}  # a lab's baseline, by its data kind
KIND_NAMES = {"points2d": "2D points", "image": "MNIST digits"}
PAGE_OF_KIND = {"points2d": "2D lab", "image": "MNIST lab"}
FIELDS = tuple(f.name for f in fields(RunConfig))  # dataset first: later checks depend on it


@dataclass(frozen=True)
class LinkState:
    cfg: RunConfig
    preset: str
    present: bool
    hidden: frozenset[str]
    warnings: tuple[str, ...]
    shipped: str | None = None  # id of the shipped run to start from (None: fresh weights)
    speed: str = DEFAULT_SPEED  # id of a row of speeds.SPEEDS (the class pace, full, slow motion)
    follow: str | None = None  # token of another tab's run to watch read-only


def baseline(preset: str, kind: str = "points2d") -> RunConfig:
    return _preset_config(preset if preset in PRESETS else DEFAULT_PRESET[kind])


# A preset's config, and a loss switch from it, are constants of the tables (frozen configs,
# at most presets x losses of them): validated once per process, not at every rerun's link.
_preset_config = functools.cache(config_for)
_switched = functools.cache(switch_loss)


def shipped_config(id_: str) -> tuple[RunConfig, str]:
    """The config and preset of shipped run `id_` (ValueError naming the valid ids)."""
    entry = pretrained.read_manifest().get(id_)
    return entry.config(), entry.preset


def to_query(cfg: RunConfig, preset: str = "ns", present: bool = False,
             hidden: frozenset[str] = frozenset(), shipped: str | None = None,
             speed: str = DEFAULT_SPEED, kind: str = "points2d") -> dict[str, str]:
    """Query parameters that `from_query` turns back into exactly this state."""
    base = shipped_config(shipped)[0] if shipped else baseline(preset, kind)
    out: dict[str, str] = {}
    if shipped:
        out["shipped"] = shipped
    elif preset != DEFAULT_PRESET[kind] and preset in PRESETS:
        out["preset"] = preset
    if cfg.loss != base.loss:
        out["loss"] = cfg.loss
        base = _switched(base, cfg.loss)  # the reader makes the same switch first
    for name in FIELDS:
        value = getattr(cfg, name)
        if value != getattr(base, name):
            out[name] = _text(value)
    if present:
        out["present"] = "1"
    if hidden:
        out["hide"] = ",".join(sorted(hidden))
    if speed != DEFAULT_SPEED:
        out["speed"] = speed
    return out


def _text(value) -> str:
    if value is None:
        return "default"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)  # shortest text that parses back to the same float
    return str(value)


def from_query(params: Mapping[str, str], kind: str = "points2d",
               controls: Mapping | None = None) -> LinkState:
    """Parse query parameters for a page of `kind` data ("points2d" | "image") whose controls
    are `controls`; every problem becomes a warning and that value its default."""
    controls = CONTROLS if controls is None else controls
    params, warnings = last_values(params)
    preset = params.get("preset", DEFAULT_PRESET[kind])
    if preset not in ids_for(kind):
        warnings.append(f"Unknown preset {preset!r} for this page; using the defaults. "
                        f"Valid: {', '.join(ids_for(kind))}.")
        preset = DEFAULT_PRESET[kind]
    cfg = baseline(preset, kind)
    shipped, start = params.get("shipped"), None
    if shipped is not None:
        try:
            saved, saved_preset = shipped_config(shipped)
        except ValueError as e:
            warnings.append(f"Ignored link parameter shipped={shipped!r}: {e}.")
            shipped = None
        else:
            # Nothing of a run of another kind may reach this page's state: its preset and
            # config kept the 2D lab rerunning forever on `?shipped=dcgan_mnist`.
            if kind_of(saved.dataset) != kind:
                warnings.append(f"Ignored link parameter shipped={shipped!r}: it is a run on "
                                f"{KIND_NAMES[kind_of(saved.dataset)]}; open it in the "
                                f"{PAGE_OF_KIND[kind_of(saved.dataset)]}.")
                shipped = None
            else:
                start, preset, cfg = saved, saved_preset, saved
    values: dict[str, object] = {}
    for name, text in params.items():
        if name in UI_KEYS:
            continue
        try:
            values[name] = parse_value(name, text)
        except (ValueError, OverflowError) as e:
            warnings.append(f"Ignored link parameter: {e}.")
    if "loss" in values:
        try:
            cfg = switch_loss(cfg, values.pop("loss"))
        except ValueError as e:
            warnings.append(f"Ignored link parameter: {e}.")
    for name in FIELDS:  # one at a time, so one bad value does not discard the rest
        if name in values:
            try:
                cfg = cfg.replace(**{name: values[name]})
            except ValueError as e:
                warnings.append(f"Ignored link parameter {name}={params[name]!r}: {e}.")
    if kind_of(cfg.dataset) != kind:
        warnings.append(f"Ignored link parameter dataset={cfg.dataset!r}: this page trains "
                        f"{kind} data.")
        cfg = cfg.replace(dataset=baseline(preset, kind).dataset,
                          arch=baseline(preset, kind).arch)
    if start is not None and needs_reset(start, cfg):  # another law, net or seed: not its weights
        kept = needs_reset(start, cfg)
        warnings.append(f"Ignored link parameter(s) {', '.join(kept)}: the shipped run "
                        f"{shipped!r} keeps its own data, architecture and seed.")
        cfg = cfg.replace(**{name: getattr(start, name) for name in kept})
    present = is_on(params.get("present"))
    speed = speed_of(params, warnings)
    follow = params.get("follow") or None
    hidden = frozenset(h.strip() for h in params.get("hide", "").split(",") if h.strip())
    unknown = sorted(hidden - set(controls))
    if unknown:
        warnings.append(f"Cannot hide unknown control(s) {', '.join(unknown)}.")
    return LinkState(cfg, preset, present, hidden & set(controls), tuple(warnings), shipped,
                     speed, follow)
