"""A hand-made 2D lab snapshot (no torch, no run), for the tests of the figures that draw one
(tests/figures) and of the views that show them (tests/ui)."""
import numpy as np

from playground.engine.snapshot import Snapshot2D


def make_snap(kind="prob", n=512, res=100, modes=8, history=50, with_truth=True,
              js_bound=True, events=()) -> Snapshot2D:
    rng = np.random.default_rng(0)
    f32 = lambda a: np.asarray(a, dtype=np.float32)  # noqa: E731
    angles = 2 * np.pi * np.arange(modes) / modes
    centres = f32(np.stack([np.cos(angles), np.sin(angles)], 1))
    grid = f32(np.linspace(-1.5, 1.5, res))
    surface = f32(rng.random((res, res))) if kind == "prob" else f32(rng.normal(3, 2, (res, res)))
    steps = f32(np.arange(history) * 10)
    mh = {"step": steps, "modes": f32(np.minimum(steps / 50, modes)),
          "hq_pct": f32(np.linspace(0, 90, history)), "rkl": f32(np.linspace(2, 0.1, history)),
          "w1": f32(np.linspace(1, 0.1, history)), "jsd": f32(np.full(history, 0.69)),
          "js_bound": f32(np.linspace(0, 0.3, history) if js_bound else np.full(history, np.nan))}
    return Snapshot2D(
        step=123, status="ok", reason="", dataset="ring", loss="ns",
        bounds=(-1.5, 1.5, -1.5, 1.5), real=f32(rng.normal(size=(n, 2))),
        fake=f32(rng.normal(size=(n, 2))), push=f32(rng.normal(size=(n, 2))),
        grid_x=grid, grid_y=grid, surface=surface, surface_kind=kind,
        surface_centre=0.5 if kind == "prob" else 1.0,
        field_xy=f32(rng.normal(size=(441, 2))), field_push=f32(rng.normal(size=(441, 2))),
        manifold=f32(rng.normal(size=(25, 25, 2))), trail=f32(rng.normal(size=(20, 64, 2))),
        centres=centres if with_truth else None,
        mode_counts=np.arange(modes) if with_truth else None,
        mode_nearest=2 * np.arange(modes) + 1 if with_truth else None,
        metrics={"modes": 5.0, "hq_pct": 80.0, "rkl": 0.3, "w1": 0.2, "jsd": 0.5,
                 "js_bound": 0.1},
        history={"step": steps, "d_loss": f32(np.linspace(1.4, 1, history)),
                 "g_loss": f32(np.linspace(0.7, 1, history))},
        metric_history=mh if history else {}, n_modes=modes if with_truth else 0,
        events=events)
