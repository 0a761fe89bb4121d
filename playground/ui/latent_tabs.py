"""The latent explorer's tabs (interpolate, grid and walk, sweep, arithmetic, directions,
nearest training digit; a conditional generator's class views instead of arithmetic and
directions), each drawn from the explorer, the sample batch and the picks that
`pages/latent.py` owns, and the constants both share. Wiring only: the maths is `latent.py`, the
decoding `explorer.py`, the figures `figures/latent.py`.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from playground.figures import latent as figs
from playground.figures import pictures
from playground.figures.style import NORMAL, PRESENTER
from playground.latent import classes, explorer
from playground.latent import ops as latent
from playground.ui import state
from playground.ui.urlstate import latent as latent_link

NS = "latent"
BATCH, COLS = latent_link.BATCH, 8  # the picker's batch: 4 rows of 8 (2 of 16 presenting)
PRESENT_COLS, PRESENT_TILE = 16, 112  # presenter mode: picker columns, strip pixels a digit
CONFIG = {"displaylogo": False, "scrollZoom": False}


def key(name: str) -> str:
    return state.key(name, NS)


_k = key  # short, as every widget key below uses it


def style(ss):
    return PRESENTER if ss[_k("present")] else NORMAL


def strip(ex: explorer.Explorer, z: np.ndarray, cols: int, title: str, key: str,
           large: bool = False):
    """Decode `z` and draw it `cols` to a row; `large`: projector-sized in presenter mode."""
    d = ex.decode(z)
    ss = st.session_state
    tile = PRESENT_TILE if large and ss[_k("present")] else 64
    st.plotly_chart(figs.strip_figure(d.images, d.labels, d.confidence, cols, title,
                                      style(ss), tile_px=tile),
                    key=_k(key), config=CONFIG, theme=None)
    st.download_button("Strip (PNG)", pictures.png(pictures.tile(d.images, cols), scale=3),
                       file_name=f"{key}.png", mime="image/png", key=_k(f"dl.{key}"),
                       on_click="ignore")
    return d


def interpolate(ex, batch, picks) -> None:
    c = st.columns(4)
    label = lambda i: f"#{i}: {batch.labels[i]}"  # noqa: E731
    a = c[0].selectbox("from", range(BATCH), key=_k("w.a"), format_func=label)
    b = c[1].selectbox("to", range(BATCH), key=_k("w.b"), format_func=label)
    steps = c[2].slider("steps", 3, 24, 10, key=_k("w.steps"))
    kind = c[3].radio("path", ("slerp", "lerp"), horizontal=True, key=_k("w.path"))
    z = latent.path(batch.z[a], batch.z[b], steps, kind, ex.tail)
    d = strip(ex, z, steps, f"#{a} → #{b} by {kind}", "interpolation", large=True)
    st.download_button("Interpolation (GIF)", pictures.gif(list(d.images), 150, scale=6),
                       file_name="interpolation.gif", mime="image/gif", key=_k("dl.gif"),
                       on_click="ignore")
    left, right = st.columns(2)
    left.plotly_chart(figs.labels_figure(d.labels, d.confidence), key=_k("labels"),
                      config=CONFIG, theme=None)
    za, zb = batch.z[a][:ex.latent_dim], batch.z[b][:ex.latent_dim]  # |z|: no label part
    norms = [np.linalg.norm(latent.path(za, zb, steps, k), axis=1) for k in ("lerp", "slerp")]
    right.plotly_chart(figs.norms_figure(*norms, ex.latent_dim), key=_k("norms"),
                       config=CONFIG, theme=None)
    st.caption(why_slerp(latent.norm_stats(ex.latent_dim), directions=not ex.classes))


def why_slerp(n: latent.NormStats, directions: bool = True) -> str:
    """The slerp caption, with the numbers measured for this generator's latent size."""
    return (f"Why slerp: z is drawn from N(0, I), whose samples lie near the sphere of radius "
            f"√D = {np.sqrt(n.dim):.1f}, not near its centre. Between two independent samples "
            f"the straight line (lerp) dips to {n.lerp_mid:.2f} of their norm at its midpoint "
            f"(1/√2 in theory; {n.lerp_mid_range[0]:.2f}-{n.lerp_mid_range[1]:.2f} over "
            f"{n.pairs:,} random pairs), a norm that training drew {n.below_mid:.2g} of the "
            "time. Slerp keeps |z| exactly when the endpoints' norms are equal, and for random "
            f"{n.dim}-D endpoints within {max(1 - n.slerp_low, n.slerp_high - 1):.1%} of the "
            "range between them; for other endpoints it need not (norms 1 and 2, 170° apart: "
            "|z| peaks at 6.1). Whether the dip shows is up to G: this one may still draw "
            "digits well inside the sphere" + (
                " (see the class means under Directions)." if directions else "."))


def grid_and_walk(ex, batch, picks) -> None:
    c = st.columns(3)
    n = c[0].slider("grid size", 3, 8, 5, key=_k("w.n"))
    kind = c[1].radio("path", ("slerp", "lerp"), horizontal=True, key=_k("w.gpath"))
    corners = (picks[-4:] + [i for i in range(BATCH) if i not in picks])[:4]
    c[2].caption(f"corners: #{corners[0]}, #{corners[1]} (top), #{corners[2]}, #{corners[3]} "
                 "(bottom): the last four picks, then the first unpicked samples")
    strip(ex, latent.grid(batch.z[corners], n, kind, ex.tail).reshape(-1, ex.width), n,
           "a grid between four samples", "grid")
    c = st.columns(3)
    k = c[0].slider("random points to walk through", 3, 8, 5, key=_k("w.k"))
    between = c[1].slider("steps between them", 3, 12, 8, key=_k("w.between"))
    seed = c[2].number_input("walk seed", 0, 10_000, 0, key=_k("w.wseed"))
    points = ex.z_batch(k, 1000 + int(seed))
    strip(ex, latent.walk(points, between, "slerp", ex.tail), between,
           "a walk through random points (the DCGAN paper's figure 4)", "walk")


SWEEPS = ("the coordinate that changes it most", "a coordinate", "a random direction")


def sweep(ex, batch, picks) -> None:
    """Move the sample along one direction. The default is the coordinate of z whose ±range
    changes this sample's digit most in pixels (`Explorer.coordinate_effects`): coordinate 0,
    the old default, barely changed it (on the shipped DCGAN 0.093 mean pixel change over
    -3..3 against 0.17 for each sample's strongest coordinate, batch seed 0)."""
    c = st.columns(4)
    i = c[0].selectbox("sample", range(BATCH), key=_k("w.si"),
                       format_func=lambda j: f"#{j}: {batch.labels[j]}")
    what = c[1].radio("along", SWEEPS, key=_k("w.what"))
    lo, hi = c[2].slider("range", -6.0, 6.0, (-3.0, 3.0), 0.5, key=_k("w.range"))
    steps = c[3].slider("steps", 3, 16, 9, key=_k("w.ssteps"))
    if what == SWEEPS[0]:
        effects = ex.coordinate_effects(batch.z[i], lo, hi)
        coord = int(np.argmax(effects))
        direction = latent.unit(coord, ex.width)
        along = f"coordinate {coord}"
        st.caption(f"Coordinate {coord} of z changes #{i} most: a mean pixel change of "
                   f"{effects[coord]:.3f} from {lo:g} to {hi:g}, against {np.median(effects):.3f} "
                   f"for the median coordinate (each of the {ex.latent_dim} coordinates tried).")
    elif what == SWEEPS[1]:
        coord = st.slider("coordinate of z", 0, ex.latent_dim - 1, 0, key=_k("w.coord"))
        direction, along = latent.unit(coord, ex.width), f"coordinate {coord}"
    else:
        d = np.random.default_rng(int(st.number_input("direction seed", 0, 10_000, 0,
                                                       key=_k("w.dseed")))).standard_normal(
            ex.latent_dim)
        d = np.concatenate([d / np.linalg.norm(d), np.zeros(ex.tail)])  # z only
        direction, along = d.astype(np.float32), what
    strip(ex, latent.sweep(batch.z[i], direction, np.linspace(lo, hi, steps)), steps,
           f"#{i}, {along} moved from {lo:g} to {hi:g}", "sweep")


def arithmetic(ex, batch, picks) -> None:
    options = ["custom (picked groups)", *explorer.ARITHMETIC.ids()]
    choice = st.selectbox("preset", options, index=1, key=_k("w.preset"),
                          format_func=lambda p: p if p not in explorer.ARITHMETIC
                          else explorer.ARITHMETIC.get(p).label)
    sigma = st.slider("neighbour noise σ", 0.0, 1.0, 0.25, 0.05, key=_k("w.sigma"))
    if choice in explorer.ARITHMETIC:
        preset = explorer.ARITHMETIC.get(choice)
        sample = ex.labelled()
        try:
            groups = explorer.preset_groups(sample, preset)
        except ValueError as e:
            st.warning(str(e))
            return
        a, b, c = (sample.z[g] for g in groups)
        names = [f"{attribute} {digit}s" for digit, attribute in preset.groups]
        st.caption(f"{preset.caption}. The groups are the 3 most {preset.groups[0][1]} / "
                   f"{preset.groups[1][1]} / {preset.groups[2][1]} confident digits of a "
                   f"labelled sample of {explorer.PRESET_SAMPLE:,} (seed {explorer.PRESET_SEED}"
                   "); the presets were found by trying every pair of digits on the shipped "
                   "DCGAN and keeping those whose neighbours read as C's digit and carry A's "
                   "attribute.")
    else:
        ss, c = st.session_state, st.columns(3)
        for i in range(3):  # Streamlit drops a widget's key while the widget is not shown
            ss.setdefault(_k(f"w.g{i}"), picks[3 * i:3 * i + 3])
        groups = [c[i].multiselect(name, range(BATCH), key=_k(f"w.g{i}"))
                  for i, name in enumerate("ABC")]
        if not all(groups):
            st.info("Pick one to three samples for each of A, B and C (DCGAN averaged three).")
            return
        a, b, c = (batch.z[list(g)] for g in groups)
        names = [", ".join(f"#{i}" for i in g) for g in groups]
    result = latent.arithmetic(a, b, c)
    cols = st.columns(3)  # each group as it is: no blank tiles after a short one
    for col, name, what, group in zip(cols, "ABC", names, (a, b, c), strict=True):
        g = ex.decode(group)
        col.plotly_chart(figs.strip_figure(g.images, g.labels, g.confidence, len(group),
                                           f"{name}: {what}"),
                         key=_k(f"arith.{name}"), config=CONFIG, theme=None)
    width = 6  # the result and its neighbours
    d = ex.decode(latent.neighbours(result, width, sigma, 0))
    st.plotly_chart(figs.strip_figure(d.images, d.labels, d.confidence, width,
                                      "mean(A) − mean(B) + mean(C) and its neighbours"),
                    key=_k("arith"), config=CONFIG, theme=None)
    st.markdown(f"The result and its neighbours read as **{', '.join(map(str, d.labels))}**.")


def directions(ex, batch, picks) -> None:
    sample = ex.labelled()
    means = latent.class_means(sample.z, sample.labels)
    have = ~np.isnan(means).any(1)
    d = ex.decode(np.nan_to_num(means))
    st.plotly_chart(figs.strip_figure(d.images, d.labels, d.confidence, 10,
                                      "the mean z of each digit the classifier saw (0-9)"),
                    key=_k("means"), config=CONFIG, theme=None)
    norms = np.linalg.norm(means[have], axis=1)
    typical = np.linalg.norm(sample.z, axis=1).mean()
    own = int((d.labels == np.arange(10))[have].sum())
    mass = latent.stroke_mass(d.images[have]).mean()
    st.caption(f"These means have |z| {norms.min():.1f}-{norms.max():.1f}, deep inside the "
               f"sphere where samples lie (|z| ≈ {typical:.1f}); G draws {own} of "
               f"{int(have.sum())} as their own digit, with stroke mass {mass:.3f} against "
               f"{sample.mass.mean():.3f} for its samples. They are decoded as they are, not "
               "rescaled to the sphere: the interior is rare in training, not blank.")
    if not have.all():
        st.caption(f"No sample was read as {', '.join(map(str, np.flatnonzero(~have)))}.")
    attrs = {"thickness": sample.mass, "slant": sample.slant}
    c = st.columns(3)
    which = c[0].radio("direction", [*attrs, *(f"towards {k}" for k in range(10) if have[k])],
                       key=_k("w.dir"))
    i = c[1].selectbox("sample", range(BATCH), key=_k("w.di"),
                       format_func=lambda j: f"#{j}: {batch.labels[j]}")
    if which in attrs:
        amount = c[2].slider("how far (standard deviations of z)", -3.0, 3.0,
                             latent.ATTRIBUTE_STEP, 0.25,
                             key=_k("w.amount"),
                             help="a unit direction: 1 moves z as far as one standard "
                                  "deviation of a sample's spread along it")
        direction = latent.attribute_direction(sample.z, attrs[which], sample.labels)
        note = (f"{which} within each digit ({len(sample.z):,} labelled samples, the digits' "
                f"own means and their span taken out), {amount:g} std of z")
    else:
        amount = c[2].slider("how far (1 = all the way to the mean)", -1.0, 2.0, 1.0, 0.25,
                             key=_k("w.towards"))
        k = int(which.split()[-1])
        direction = means[k] - batch.z[i]
        note = f"from the sample towards the mean z of the {k}s (1 = all the way)"
    z = latent.sweep(batch.z[i], direction, np.linspace(0, amount, 7))
    strip(ex, z, 7, f"#{i} moved along {which}: {note}", "direction")


def nearest(ex, batch, picks) -> None:
    i = st.selectbox("generated sample", range(BATCH), key=_k("w.ni"),
                     format_func=lambda j: f"#{j}: {batch.labels[j]}")
    found = ex.nearest(batch.images[i], k=4)
    st.caption("Is the generator copying its training digits? Its sample first, then the "
               "closest of the 5,000-digit training subset by pixels (L2) and by the classifier's "
               "features. Close but not equal is learning; equal would be memorising.")
    for name, (images, labels, dist) in found.items():
        shown = np.concatenate([batch.images[i][None], images])
        conf = np.ones(len(shown), np.float32)
        title = f"by {name}: distances " + ", ".join(f"{v:.2f}" for v in dist)
        st.plotly_chart(figs.strip_figure(shown, np.concatenate([[batch.labels[i]], labels]),
                                          conf, len(shown), title),
                        key=_k(f"nn.{name}"), config=CONFIG, theme=None)


def every_class(ex, batch, picks) -> None:
    """A conditional G's class views: the picks' z as every digit, one z from one class to
    another, and style transfer from a real test digit (latent/classes.py). On an InfoGAN G
    the same with its categorical code, what each code value is read as, and the paper's
    sweep of a continuous code instead of style transfer."""
    ss = st.session_state
    cols = (picks[-8:] + [i for i in range(BATCH) if i not in picks])[:8]
    grid = classes.every_class(ex, batch.z[cols])
    what = "code value" if ex.info else "class"
    strip(ex, grid.z, len(cols), "the same z (columns: the last picks), drawn as "
          f"{'code value ' if ex.info else ''}0-9 (rows)", "classes")
    if ex.info:
        read = ", ".join(f"{k} → {d} ({share:.0%})"
                         for k, (d, share) in enumerate(classes.row_readings(grid, len(cols))))
        st.caption("Each column keeps one z. InfoGAN's code values are not digits: G gave each "
                   "value its own meaning without labels, and a value may draw two digits or "
                   f"share one with another value. Read as (the classifier's most common digit "
                   f"in each row): {read}.")
    else:
        st.caption(f"Each column keeps one z, so one handwriting writes every digit: "
                   f"{classes.agreement(grid, len(cols)):.0%} of these are read as their row's "
                   "digit by the frozen classifier.")
    c = st.columns(3)
    a = c[0].selectbox(f"from {what}", range(10), index=3, key=_k("w.ca"))
    b = c[1].selectbox(f"to {what}", range(10), index=8, key=_k("w.cb"))
    steps = c[2].slider("steps ", 3, 16, 9, key=_k("w.csteps"))
    i = picks[-1] if picks else 0
    strip(ex, classes.between(ex, batch.z[i], a, b, steps), steps,
          f"#{i}'s z, its {'code' if ex.info else 'label'} going from {a} to {b}", "between")
    mix = "code is a mix of two one-hot code values" if ex.info else \
        "label is a mix of two one-hot labels"
    st.caption(f"Between the two ends the {mix}, which G never saw in training: where the "
               "digit switches, and what it draws on the way, is the generator's own guess.")
    if ex.info:
        _code_sweep(ex, batch, i)
        return
    c = st.columns([1, 1, 2])
    index = int(c[0].number_input("test digit #", 0, 9_999, 0, key=_k("w.test")))
    image, label = classes.held_out_digit(index)
    found = ss.setdefault(_k("fits"), {})
    at = (ex.source, ex.step, index)
    if c[1].button("Find its z", key=_k("b.fit"), icon=":material/search:",
                   help=f"Adam on z ({classes.FIT_STEPS} steps from {classes.FIT_STARTS} random "
                        "starts): the z that, drawn as this digit's label, redraws it best"):
        found[at] = classes.fit(ex, image, label)
    fit = found.get(at)
    c[2].caption(f"Style transfer: a real test digit (a {label}; no GAN here trains on the "
                 "test digits), the z that redraws it, then that z under every label.")
    if fit is None:
        st.plotly_chart(figs.strip_figure(image[None], np.array([label]), np.ones(1), 1,
                                          f"test digit #{index}"),
                        key=_k("fit.digit"), config=CONFIG, theme=None)
        return
    shown = classes.every_class(ex, fit.point[None])
    st.plotly_chart(figs.strip_figure(np.concatenate([image[None], shown.images]),
                                      np.concatenate([[label], shown.labels]),
                                      np.concatenate([[1.0], shown.confidence]), 11,
                                      f"test digit #{index}, then its z drawn as 0-9"),
                    key=_k("fit.row"), config=CONFIG, theme=None)
    st.caption(f"The redraw differs from the digit by {fit.error:.3f} of full ink per pixel "
               f"on average (the best random z: {fit.start_error:.3f}).")


def _code_sweep(ex, batch, i: int) -> None:
    """InfoGAN's figure: every categorical value (rows) with one continuous code moved along
    the columns, at sample #i's z."""
    c = st.columns(3)
    code = c[0].selectbox("continuous code", range(ex.cont), key=_k("w.code"),
                          format_func=lambda k: f"c{k + 1}")
    lo, hi = c[1].slider("values", -3.0, 3.0, classes.CODE_RANGE, 0.5, key=_k("w.crange"))
    steps = c[2].slider("steps  ", 3, 11, 7, key=_k("w.codesteps"))
    strip(ex, classes.code_sweep(ex, batch.z[i], code, np.linspace(lo, hi, steps)), steps,
          f"#{i}'s z: code value 0-9 (rows), c{code + 1} from {lo:g} to {hi:g} (columns)",
          "codesweep")
    st.caption("Training drew each continuous code from [-1, 1]; the paper's figure goes to "
               "±2 to show that the code keeps its meaning past that range (often a slant or a "
               "stroke width). The other continuous code stays at 0.")


# The tabs in page order: label -> view(explorer, batch, picks).
TABS = {"Interpolate": interpolate, "Grid & walk": grid_and_walk, "Sweep": sweep,
        "Arithmetic": arithmetic, "Directions": directions, "Nearest training digit": nearest,
        "Classes": every_class, "Codes": every_class}
# Arithmetic and directions look for digit classes inside z; a conditional G's class is its
# label, so it shows the class views instead (and an unconditional G has no label to change);
# an InfoGAN G shows the same views on its codes, as "Codes".
UNCONDITIONAL_ONLY, CONDITIONAL_ONLY, INFO_ONLY = ("Arithmetic", "Directions"), ("Classes",), \
    ("Codes",)


def shown(ex: explorer.Explorer) -> dict:
    """The tabs this generator has, in page order."""
    drop = (UNCONDITIONAL_ONLY + CONDITIONAL_ONLY if ex.info else
            UNCONDITIONAL_ONLY + INFO_ONLY if ex.classes else CONDITIONAL_ONLY + INFO_ONLY)
    return {label: view for label, view in TABS.items() if label not in drop}
