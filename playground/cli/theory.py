"""The theory lab's CLI subcommands: `parallel-lines`, `wgan-fig2` and `em-vs-js`.

Each writes a JSON of its numbers and self-contained HTML figures (plotly.js written once next
to them) into --out, from the same functions the page uses. Registered on import by cli.py.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import math
from pathlib import Path

import numpy as np

from playground.cli import UserError, command
from playground.theory import em_vs_js, fit, parallel_lines, saturation, theta_game


def _out_dir(text: str) -> Path:
    out = Path(text)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"--out {text}: cannot create the directory ({e.strerror})") from None
    return out


def _plain(x):
    """JSON-ready: numpy to lists, +/-inf as the strings "+inf"/"-inf" (float() reads them
    back), NaN as null."""
    if isinstance(x, np.ndarray):
        return _plain(x.tolist())
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if math.isnan(x):
            return None
        return x if math.isfinite(x) else ("+inf" if x > 0 else "-inf")
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return _plain(dataclasses.asdict(x))
    return x


def _write(out: Path, name: str, payload: dict, figures: dict) -> None:
    (out / f"{name}.json").write_text(json.dumps(_plain(payload), indent=1))
    for stem, fig in figures.items():
        fig.write_html(out / f"{stem}.html", include_plotlyjs="directory")
    print(f"wrote {out}/{name}.json and {', '.join(f'{s}.html' for s in figures)}")


def _fit_steps(value: int) -> fit.FitSettings:
    if not 1 <= value <= 100_000:
        raise UserError(f"--fit-steps={value} is out of range [1, 100000]")
    return fit.FitSettings(steps=value)


# ---- parallel-lines ------------------------------------------------------------------------
def _parallel_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--thetas", type=float, nargs="+", default=list(parallel_lines.DEFAULT_THETAS),
                   help="theta values to estimate at, in [-2, 2]")
    p.add_argument("--n", type=int, default=512, help="held-out samples per side (16..4096)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--fit-steps", type=int, default=1000, help="D / critic updates per theta")
    p.add_argument("--theta-steps", type=int, default=300,
                   help="theta updates in the training demo per loss (0 = skip it)")
    p.add_argument("--theta0", type=float, default=1.0)
    p.add_argument("--out", required=True, help="output directory")


def _parallel(args: argparse.Namespace) -> int:
    from playground.figures import theory as figs
    settings = _fit_steps(args.fit_steps)
    grid = parallel_lines.EstimateGrid(args.thetas, args.n, args.seed, settings)
    game_settings = theta_game.GameSettings(theta0=args.theta0)
    if args.theta_steps < 0:
        raise UserError(f"--theta-steps={args.theta_steps} must be 0 or more")
    out = _out_dir(args.out)
    rows = grid.run_all()
    floor = grid.floor()
    print(f"{'theta':>6} {'W':>6} {'JS':>6} {'KL':>5} {'TV':>4} | {'JS est':>7} "
          f"{'W est':>7} {'W1 samp':>7}")
    for r in rows:
        print(f"{r.theta:6.2f} {r.w:6.3f} {r.js:6.4f} {r.kl:5.3g} {r.tv:4.0f} | "
              f"{r.js_learned:7.4f} {r.w_learned:7.4f} {r.w1_sample:7.4f}")
    print(f"sampling floor (n={floor.n}): exact W1 of two P0 samples "
          f"{floor.w1_mean:.4f} ± {floor.w1_std:.4f}; learned JS at 0 {floor.js_learned:.4f}; "
          f"learned W at 0 {floor.w_learned:.4f}")
    dense = parallel_lines.closed_forms(np.union1d(np.linspace(-2, 2, 401), [0.0]))
    rt = np.array([r.theta for r in rows])
    figures = {
        "closed_forms": figs.closed_forms_figure(dense.theta, dense.w, dense.js, dense.kl,
                                                 dense.tv, args.theta0),
        "estimates": figs.estimates_figure(
            dense.theta, dense.w, dense.js, rt, np.array([r.js_learned for r in rows]),
            np.array([r.w_learned for r in rows]), np.array([r.w_gap for r in rows]),
            np.array([r.w1_sample for r in rows]))}
    payload = {"n": args.n, "seed": args.seed, "fit": settings, "rows": rows, "floor": floor}
    if args.theta_steps > 0:
        traces = theta_game.play(steps=args.theta_steps, settings=game_settings, seed=args.seed)
        payload["theta_training"] = {
            "settings": game_settings,
            "summary": {k: theta_game.summarise(t) for k, t in traces.items()},
            "traces": traces}
        for k, t in traces.items():
            s = theta_game.summarise(t)
            print(f"theta training, {k}: theta {t.theta[0]:g} -> {s.final_theta:.4f} in "
                  f"{s.steps} steps; |dtheta| first {s.grad_first:.3g}, median "
                  f"{s.grad_median:.3g}, max {s.grad_max:.3g}")
        figures["theta_training"] = figs.theta_figure(traces, args.theta0)
    _write(out, "parallel_lines", payload, figures)
    return 0


command("parallel-lines", "WGAN Example 1: closed forms vs learned JS / W estimates (JSON, HTML)",
        _parallel_args, _parallel)


# ---- wgan-fig2 -----------------------------------------------------------------------------
def _fig2_args(p: argparse.ArgumentParser) -> None:
    d = saturation.Setup()
    for name in ("mu_real", "sd_real", "mu_fake", "sd_fake", "x_min", "x_max"):
        p.add_argument(f"--{name.replace('_', '-')}", type=float, default=getattr(d, name))
    p.add_argument("--critic", default=d.critic,
                   help=f"one of {', '.join(saturation.CRITIC_LOSSES)}")
    p.add_argument("--fit-steps", type=int, default=d.fit.steps)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="output directory")


def _fig2(args: argparse.Namespace) -> int:
    from playground.figures import theory as figs
    setup = saturation.Setup(args.mu_real, args.sd_real, args.mu_fake, args.sd_fake,
                             args.x_min, args.x_max, args.critic, _fit_steps(args.fit_steps))
    out = _out_dir(args.out)
    r = saturation.fit_both(setup, args.seed)
    print(f"max |dD/dx| where the fakes are: {r.d_grad_at_fakes:.3g} (max anywhere "
          f"{r.d_grad_max:.3g}); critic mean |df/dx| there: {r.critic_grad_at_fakes:.3g}")
    fig = figs.saturation_figure(r.x, r.p_real, r.p_fake, r.d_prob, r.d_grad, r.critic,
                                 r.critic_grad)
    _write(out, "wgan_fig2", {"seed": args.seed, "result": r}, {"wgan_fig2": fig})
    return 0


command("wgan-fig2", "WGAN Figure 2: saturating D vs linear critic on two 1D Gaussians",
        _fig2_args, _fig2)


# ---- em-vs-js ------------------------------------------------------------------------------
def _em_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", default="ring")
    p.add_argument("--presets", nargs="+", default=list(em_vs_js.COMPARE_PRESETS))
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--eval-every", type=int, default=100)
    p.add_argument("--kernel", type=int, default=5, help="median filter width (odd)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="output directory")


def _em(args: argparse.Namespace) -> int:
    from playground.figures import theory as figs
    em_vs_js.smooth(np.zeros(1), args.kernel)  # validate before minutes of training
    cmp = em_vs_js.Comparison(args.dataset, tuple(args.presets), args.steps, args.eval_every,
                              args.seed)
    out = _out_dir(args.out)
    curves = cmp.run_all()
    for p, c in curves.items():
        print(f"{p}: W1 {c.w1[0]:.3f} -> {c.w1[-1]:.3f}, JSD {c.jsd[0]:.3f} -> {c.jsd[-1]:.3f}, "
              f"critic gap {c.critic_gap[-1]:.3f}, modes {c.modes[-1]:g}/{c.n_modes}")
    fig = figs.em_vs_js_figure(em_vs_js.smoothed(curves, args.kernel), args.kernel)
    _write(out, "em_vs_js", {"dataset": args.dataset, "kernel": args.kernel, "curves": curves},
           {"em_vs_js": fig})
    return 0


command("em-vs-js", "WGAN Figures 3-4: W1 and JSD along ns and wgan_gp runs (JSON, HTML)",
        _em_args, _em)
