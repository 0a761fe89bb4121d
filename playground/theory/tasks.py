"""The theory lab's long computations as sliceable tasks, so the app runs them in a worker
process (serve/tasks.TheoryJob) and never in its own script thread.

A task validates its parameters when built (cheap), does its heavy set-up on the first
`advance(seconds)`, and shows itself as a numpy/float `view()` at any time. `build(spec)` makes
one from a plain dict, {"kind": ..., parameters}, which crosses the process pipe. Views carry
the wall time the work took so far, measured, so the page states it instead of promising one.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

from playground.theory import em_vs_js, parallel_lines, saturation, theta_game

GAME_CHUNK = 10  # theta updates per game per turn (~5 D updates each: ~0.1-0.3 s)


class Task(Protocol):
    done: bool

    def advance(self, seconds: float) -> None: ...

    def view(self): ...


class Stopwatch:
    """Wall seconds from a task's first `advance` to the end of its latest one: what a viewer
    waited (slices of other tasks in between included), frozen once the task is done."""

    def __init__(self):
        self.started: float | None = None
        self.elapsed_s = 0.0

    def start(self) -> None:
        if self.started is None:
            self.started = time.perf_counter()

    def stop(self) -> None:
        if self.started is not None:
            self.elapsed_s = time.perf_counter() - self.started


@dataclass(frozen=True)
class EstimateView:
    thetas: tuple[float, ...]
    rows: tuple[parallel_lines.LineEstimate, ...]
    floor: parallel_lines.SamplingFloor | None  # once every theta is done
    elapsed_s: float = 0.0  # wall seconds from the first theta to the latest row (or floor)


class EstimateTask:
    """The parallel-lines table, one theta per advance (a D and a critic trained for
    fit.FitSettings.steps updates each: 2-6 s on one thread, with the machine's load)."""

    def __init__(self, thetas=parallel_lines.DEFAULT_THETAS, n: int = 512, seed: int = 0):
        self.grid = parallel_lines.EstimateGrid(tuple(thetas), n, seed)
        self.floor: parallel_lines.SamplingFloor | None = None
        self.clock = Stopwatch()

    @property
    def done(self) -> bool:
        return self.floor is not None

    def advance(self, seconds: float) -> None:
        if self.done:
            return
        self.clock.start()
        if not self.grid.done:
            self.grid.advance()
        else:
            self.floor = self.grid.floor()
        self.clock.stop()

    def view(self) -> EstimateView:
        return EstimateView(self.grid.thetas, tuple(self.grid.rows), self.floor,
                            self.clock.elapsed_s)


@dataclass(frozen=True)
class RaceView:
    target: int
    traces: dict[str, theta_game.ThetaTrace] = field(default_factory=dict)  # empty until built
    elapsed_s: float = 0.0  # wall seconds from the start to the latest update


class RaceTask:
    """Minimax, non-saturating and WGAN-GP each driving theta from theta0 (theta_game)."""

    def __init__(self, theta0: float = 1.0, lr_theta: float = 0.01, steps: int = 300,
                 seed: int = 0):
        self.settings = theta_game.GameSettings(theta0=float(theta0), lr_theta=float(lr_theta))
        lo, hi = theta_game.RANGES["steps"]
        if not (isinstance(steps, int) and lo <= steps <= hi):
            raise ValueError(f"steps={steps!r} is out of range [{lo}, {hi}]")
        self.target, self.seed = steps, seed
        self.games: dict[str, theta_game.ThetaGame] | None = None
        self.clock = Stopwatch()

    @property
    def done(self) -> bool:
        return self.games is not None and all(g.steps >= self.target
                                               for g in self.games.values())

    def advance(self, seconds: float) -> None:
        if self.done:
            return
        self.clock.start()
        if self.games is None:  # each game first trains its D at theta0 (500 updates)
            self.games = {loss: theta_game.ThetaGame(loss, self.settings, self.seed)
                          for loss in theta_game.THETA_LOSSES}
        else:
            deadline = time.perf_counter() + seconds
            while not self.done and time.perf_counter() < deadline:
                for g in self.games.values():
                    if g.steps < self.target:
                        g.advance(min(GAME_CHUNK, self.target - g.steps))
        self.clock.stop()

    def view(self) -> RaceView:
        traces = {} if self.games is None else {k: g.trace() for k, g in self.games.items()}
        return RaceView(self.target, traces, self.clock.elapsed_s)


class SaturationTask:
    """WGAN Fig. 2: a sigmoid D and a critic fitted between two Gaussians, in one advance."""

    def __init__(self, setup: saturation.Setup, seed: int = 0):
        self.setup, self.seed = setup, seed
        self.result: saturation.SaturationResult | None = None

    @property
    def done(self) -> bool:
        return self.result is not None

    def advance(self, seconds: float) -> None:
        if self.result is None:
            self.result = saturation.fit_both(self.setup, self.seed)

    def view(self) -> saturation.SaturationResult | None:
        return self.result


@dataclass(frozen=True)
class CompareView:
    steps: int
    curves: dict[str, em_vs_js.Curves] = field(default_factory=dict)  # empty until built
    elapsed_s: float = 0.0  # wall seconds from the start to the latest slice
    # every run at `steps` or stopped (its curves may end earlier: at the last evaluation)
    done: bool = False


class CompareTask:
    """EM vs JS along real 2D runs (em_vs_js.Comparison), time-sliced."""

    def __init__(self, dataset: str = "ring", presets=em_vs_js.COMPARE_PRESETS,
                 steps: int = 1000, eval_every: int = 50, seed: int = 0):
        em_vs_js._check("steps", steps)
        em_vs_js._check("eval_every", eval_every)
        self.args = (dataset, tuple(presets), steps, eval_every, seed)
        self.steps = steps
        self.cmp: em_vs_js.Comparison | None = None
        self.clock = Stopwatch()

    @property
    def done(self) -> bool:
        return self.cmp is not None and self.cmp.done

    def advance(self, seconds: float) -> None:
        if self.done:
            return
        self.clock.start()
        if self.cmp is None:
            self.cmp = em_vs_js.Comparison(*self.args)
        else:
            self.cmp.advance(seconds)
        self.clock.stop()

    def view(self) -> CompareView:
        return CompareView(self.steps, {} if self.cmp is None else self.cmp.curves(),
                           self.clock.elapsed_s, self.done)


KINDS = {"estimate": EstimateTask, "race": RaceTask, "saturation": SaturationTask,
         "compare": CompareTask}


def build(spec: dict) -> Task:
    """A task from {"kind": id, **parameters}; bad parameters raise ValueError naming them."""
    spec = dict(spec)
    kind = spec.pop("kind", None)
    if kind not in KINDS:
        raise ValueError(f"unknown theory task {kind!r}; valid: {', '.join(KINDS)}")
    return KINDS[kind](**spec)
