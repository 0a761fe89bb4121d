"""The latent explorer: walk a digit generator's latent space (the shipped DCGAN, this session's
MNIST lab run, or an uploaded checkpoint). Pick samples from a seeded batch, then interpolate
(lerp or slerp), tile a grid between four corners, walk through several points, sweep one
coordinate, do vector arithmetic, move along class and attribute directions, and check a
sample's nearest training digits. The picks (state key `latent.picks`) drive every tab: the
last two are interpolated, the last one is swept, moved and matched; `_set_picks` is the one
writer of the picks and of the tab widgets that follow them. `?present=1`: presenter mode, the
picker and the interpolation on one projector screen. Wiring only: the maths is `latent.py`,
the decoding `explorer.py`, the figures `figures/latent.py`.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from ... import explorer, latent, pictures
from ...figures import latent as figs
from ...figures.style import NORMAL, PRESENTER
from .. import guard, labpage, latent_link, session, state

NS = "latent"
state.NAMESPACES.add(NS, state.Namespace({
    "explorer": lambda: None,  # explorer.Explorer of the chosen source (None: the shipped one)
    "source": lambda: "shipped DCGAN",
    "seed": lambda: 0,  # seed of the sample batch
    "picks": list,  # indices into the batch, oldest first: they drive every tab
    "pair": lambda: [0, 1],  # the batch's opening pair (`_opening_pair`)
    "batch_of": lambda: None,  # (source, step, seed) that `picks` and `pair` belong to
    "present": lambda: False,  # presenter mode (?present=1)
    "ready": lambda: False,  # the opening link has been read
    "url_warnings": list,  # problems found in the opening link, shown until dismissed
    "upload_error": lambda: "",  # why the uploaded file was refused, shown beside the uploader
}))
BATCH, COLS = 32, 8  # the picker's batch: 4 rows of 8 (2 rows of 16 in presenter mode)
PRESENT_COLS, PRESENT_TILE = 16, 112  # presenter mode: picker columns, strip pixels a digit
CONFIG = {"displaylogo": False, "scrollZoom": False}


def _k(name: str) -> str:
    return state.key(name, NS)


@st.cache_resource
def _shipped() -> explorer.Explorer:
    """The shipped DCGAN (read-only: decoding runs in eval mode under no_grad)."""
    return explorer.Explorer.shipped()


def _explorer(ss) -> explorer.Explorer:
    return ss[_k("explorer")] or _shipped()


def render() -> None:
    ss = st.session_state
    state.ensure(ss, NS)
    present = _opening_link(ss)
    st.title("Latent explorer")
    st.caption("Radford et al. 2016 (seed 002): walking z changes digits smoothly, and averaged "
               "z vectors support arithmetic. Every digit is labelled by the frozen classifier.")
    _link_warnings(ss)
    if present:  # the projector shows the picker and the strip; the source waits in the sidebar
        with st.sidebar:
            _source(ss)
    else:
        _source(ss)
    with st.sidebar:
        st.toggle("Presenter mode", key=_k("w.present"), on_change=_on_present,
                  help="larger digits, the picker and the interpolation on one screen; the "
                       "link gets ?present=1")
    ex = _explorer(ss)
    batch = ex.sample(BATCH, ss[_k("seed")])
    _new_batch_picks(ss, (ss[_k("source")], ex.step, ss[_k("seed")]), batch)
    picks = _picker(ss, batch)
    tabs = st.tabs(["Interpolate", "Grid & walk", "Sweep", "Arithmetic", "Directions",
                    "Nearest training digit"])
    with tabs[0]:
        _interpolate(ex, batch, picks)
    with tabs[1]:
        _grid_and_walk(ex, batch, picks)
    with tabs[2]:
        _sweep(ex, batch, picks)
    with tabs[3]:
        _arithmetic(ex, batch, picks)
    with tabs[4]:
        _directions(ex, batch, picks)
    with tabs[5]:
        _nearest(ex, batch, picks)


def _opening_link(ss) -> bool:
    """Read `?present=1` once per session; set the page up for presenter mode. Returns it."""
    if not ss[_k("ready")]:
        link = latent_link.read(session.query_params())
        ss[_k("present")], ss[_k("seed")] = link.present, link.seed
        ss[_k("url_warnings")] = list(link.warnings)
        if link.shipped is not None and link.shipped != explorer.DEFAULT_SHIPPED:
            ss[_k("explorer")] = explorer.Explorer.shipped(link.shipped)
            ss[_k("source")] = f"shipped {link.shipped}"
        ss[_k("ready")] = True
    if _k("w.present") not in ss:
        ss[_k("w.present")] = ss[_k("present")]
    present = ss[_k("present")]
    st.set_page_config(initial_sidebar_state="collapsed" if present else "auto")
    st.markdown(labpage.COMPACT_CSS + (labpage.PRESENTER_CSS if present else ""),
                unsafe_allow_html=True)
    return present


def _link_warnings(ss) -> None:
    """The opening link's problems, as the labs show theirs, until dismissed."""
    for text in ss[_k("url_warnings")]:
        st.warning(text, icon=":material/link_off:")
    if ss[_k("url_warnings")]:
        st.button("Dismiss", key=_k("b.dismiss_link"), icon=":material/close:",
                  on_click=ss.__setitem__, args=(_k("url_warnings"), []),
                  help="the defaults shown replaced the link's bad values")


def _on_present() -> None:
    ss = st.session_state
    ss[_k("present")] = bool(ss[_k("w.present")])
    if ss[_k("present")]:
        st.query_params["present"] = "1"
    elif "present" in st.query_params:
        del st.query_params["present"]


def _style(ss):
    return PRESENTER if ss[_k("present")] else NORMAL


# ---- the generator and the samples ------------------------------------------------------------
def _source(ss) -> None:
    cols = st.columns([2, 2, 3])
    cols[0].markdown(f"**Generator:** {ss[_k('source')]} (step {_explorer(ss).step:,})")
    trainer = ss.get(state.key("trainer", state.MNIST))
    if trainer is not None and cols[1].button("Use the MNIST lab's generator now",
                                              key=_k("b.lab"), icon=":material/sync:",
                                              help="a copy of this session's MNIST lab run "
                                                   "as it is now (paused or training)"):
        try:
            ex = explorer.Explorer.from_bytes(trainer.checkpoint(), "this session's MNIST lab")
            ss[_k("explorer")], ss[_k("source")] = ex, f"MNIST lab run ({ex.step:,} steps)"
            st.rerun()
        except ValueError as e:  # beside the button that asked for it
            cols[1].error(guard.public(f"Could not take the lab's generator: {e}"))
    if ss[_k("explorer")] is not None and cols[1].button("Back to the shipped DCGAN",
                                                         key=_k("b.shipped")):
        ss[_k("explorer")], ss[_k("source")] = None, "shipped DCGAN"
        st.rerun()
    upload = cols[2].file_uploader("…or a digit checkpoint (.pt)", type=["pt"],
                                   key=_k("w.upload"), label_visibility="visible")
    if upload is None:
        ss[_k("upload_error")] = ""
    elif ss.get(_k("uploaded")) != upload.file_id:
        ss[_k("uploaded")], ss[_k("upload_error")] = upload.file_id, ""
        try:
            ss[_k("explorer")] = explorer.Explorer.from_bytes(upload.getvalue(), upload.name)
            ss[_k("source")] = upload.name
            st.rerun()
        except ValueError as e:  # no server paths or exception names on the page
            ss[_k("upload_error")] = guard.public(f"{upload.name}: {e}")
    if ss[_k("upload_error")]:  # under the uploader, where the eye is, until the file goes
        cols[2].error(ss[_k("upload_error")], icon=":material/error:")


# ---- the picks: one owner, every tab follows ----------------------------------------------------
def _opening_pair(batch: explorer.Decoded) -> list[int]:
    """The batch's most confident digit and the most confident digit of another class, so the
    first strip runs between two clear, different digits (seed 0's first two samples ran from
    a 9 into a malformed 7 read at 43 %). Ties keep batch order: deterministic."""
    order = np.argsort(-batch.confidence, kind="stable")
    first = int(order[0])
    other = [int(i) for i in order if batch.labels[i] != batch.labels[first]]
    return [first, other[0] if other else int(order[1])]


def _ends(picks: list[int], pair: list[int]) -> tuple[int, int]:
    """Interpolate's from and to: the last two picks; one pick is the end, reached from the
    opening pair's first digit (its second if that is the pick); none: the opening pair."""
    if len(picks) >= 2:
        return picks[-2], picks[-1]
    if picks:
        return (pair[0] if pair[0] != picks[0] else pair[1]), picks[0]
    return pair[0], pair[1]


def _set_picks(ss, picks: list[int]) -> None:
    """The one writer of the picks and of every widget that follows them (from/to, the
    sample of Sweep, Directions and Nearest, the custom arithmetic groups). Runs in callbacks
    or before the widgets render, so the widgets show the new values on this run."""
    picks = list(dict.fromkeys(int(i) for i in picks))
    ss[_k("picks")] = ss[_k("w.picks")] = picks
    ss[_k("w.a")], ss[_k("w.b")] = _ends(picks, ss[_k("pair")])
    for name in ("w.si", "w.di", "w.ni"):
        ss[_k(name)] = ss[_k("w.b")]
    for i in range(3):
        ss[_k(f"w.g{i}")] = picks[3 * i:3 * i + 3]


def _new_batch_picks(ss, batch_of: tuple, batch: explorer.Decoded) -> None:
    """A batch not seen before (first visit, new seed, another generator) opens on its own
    pair, picked; the picks of the batch on screen are kept."""
    if ss[_k("batch_of")] != batch_of:
        ss[_k("batch_of")] = batch_of
        ss[_k("pair")] = _opening_pair(batch)
        _set_picks(ss, ss[_k("pair")])


def _on_select() -> None:
    """A click (or a box) on the picker: the chosen digits become the latest picks."""
    ss = st.session_state
    event = ss.get(_k("w.grid"))
    points = (event or {}).get("selection", {}).get("points", [])
    chosen = [int(p["customdata"]) for p in points if "customdata" in p]
    if chosen:
        _set_picks(ss, [i for i in ss[_k("picks")] if i not in chosen] + chosen)


def _on_multiselect() -> None:
    ss = st.session_state
    _set_picks(ss, ss[_k("w.picks")])


def _on_new_batch() -> None:
    st.session_state[_k("seed")] += 1  # the next render opens the new batch on its own pair


def _picker(ss, batch: explorer.Decoded) -> list[int]:
    present = ss[_k("present")]
    if not present:
        st.subheader("Pick samples")
    c = st.columns([1, 1, 4], vertical_alignment="bottom")
    c[0].button("New batch", key=_k("b.new"), icon=":material/casino:", on_click=_on_new_batch)
    c[1].markdown(f"batch seed **{ss[_k('seed')]}**")
    picks = c[2].multiselect("Picked (click digits below): the last two are interpolated, the "
                             "last one drives Sweep, Directions and Nearest",
                             list(range(BATCH)), key=_k("w.picks"), on_change=_on_multiselect,
                             format_func=lambda i: f"#{i}: {batch.labels[i]}")
    cols = PRESENT_COLS if present else COLS
    st.plotly_chart(figs.strip_figure(batch.images, batch.labels, batch.confidence, cols,
                                      "click a digit to pick it", _style(ss), selectable=True,
                                      picked=tuple(picks)),
                    key=_k("w.grid"), on_select=_on_select, selection_mode=("points", "box"),
                    config=CONFIG, theme=None)
    return list(picks)


def _strip(ex: explorer.Explorer, z: np.ndarray, cols: int, title: str, key: str,
           large: bool = False):
    """Decode `z` and draw it `cols` to a row; `large`: projector-sized in presenter mode."""
    d = ex.decode(z)
    ss = st.session_state
    tile = PRESENT_TILE if large and ss[_k("present")] else 64
    st.plotly_chart(figs.strip_figure(d.images, d.labels, d.confidence, cols, title,
                                      _style(ss), tile_px=tile),
                    key=_k(key), config=CONFIG, theme=None)
    st.download_button("Strip (PNG)", pictures.png(pictures.tile(d.images, cols), scale=3),
                       file_name=f"{key}.png", mime="image/png", key=_k(f"dl.{key}"),
                       on_click="ignore")
    return d


# ---- the tabs ---------------------------------------------------------------------------------
def _interpolate(ex, batch, picks) -> None:
    c = st.columns(4)
    label = lambda i: f"#{i}: {batch.labels[i]}"  # noqa: E731
    a = c[0].selectbox("from", range(BATCH), key=_k("w.a"), format_func=label)
    b = c[1].selectbox("to", range(BATCH), key=_k("w.b"), format_func=label)
    steps = c[2].slider("steps", 3, 24, 10, key=_k("w.steps"))
    kind = c[3].radio("path", ("slerp", "lerp"), horizontal=True, key=_k("w.path"))
    z = latent.path(batch.z[a], batch.z[b], steps, kind)
    d = _strip(ex, z, steps, f"#{a} → #{b} by {kind}", "interpolation", large=True)
    st.download_button("Interpolation (GIF)", pictures.gif(list(d.images), 150, scale=6),
                       file_name="interpolation.gif", mime="image/gif", key=_k("dl.gif"),
                       on_click="ignore")
    left, right = st.columns(2)
    left.plotly_chart(figs.labels_figure(d.labels, d.confidence), key=_k("labels"),
                      config=CONFIG, theme=None)
    norms = [np.linalg.norm(latent.path(batch.z[a], batch.z[b], steps, k), axis=1)
             for k in ("lerp", "slerp")]
    right.plotly_chart(figs.norms_figure(*norms, ex.latent_dim), key=_k("norms"),
                       config=CONFIG, theme=None)
    st.caption(_why_slerp(latent.norm_stats(ex.latent_dim)))


def _why_slerp(n: latent.NormStats) -> str:
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
            "digits well inside the sphere (see the class means under Directions).")


def _grid_and_walk(ex, batch, picks) -> None:
    c = st.columns(3)
    n = c[0].slider("grid size", 3, 8, 5, key=_k("w.n"))
    kind = c[1].radio("path", ("slerp", "lerp"), horizontal=True, key=_k("w.gpath"))
    corners = (picks[-4:] + [i for i in range(BATCH) if i not in picks])[:4]
    c[2].caption(f"corners: #{corners[0]}, #{corners[1]} (top), #{corners[2]}, #{corners[3]} "
                 "(bottom): the last four picks, then the first unpicked samples")
    _strip(ex, latent.grid(batch.z[corners], n, kind).reshape(-1, ex.latent_dim), n,
           "a grid between four samples", "grid")
    c = st.columns(3)
    k = c[0].slider("random points to walk through", 3, 8, 5, key=_k("w.k"))
    between = c[1].slider("steps between them", 3, 12, 8, key=_k("w.between"))
    seed = c[2].number_input("walk seed", 0, 10_000, 0, key=_k("w.wseed"))
    points = ex.z_batch(k, 1000 + int(seed))
    _strip(ex, latent.walk(points, between, "slerp"), between,
           "a walk through random points (the DCGAN paper's figure 4)", "walk")


SWEEPS = ("the coordinate that changes it most", "a coordinate", "a random direction")


def _sweep(ex, batch, picks) -> None:
    """Move the sample along one direction. The default is the coordinate of z whose ±range
    changes this sample's digit most in pixels (`Explorer.coordinate_effects`): coordinate 0,
    the old default, barely changed it (on the shipped DCGAN 0.084 mean pixel change over
    -3..3 against 0.16 for each sample's strongest coordinate, batch seed 0)."""
    c = st.columns(4)
    i = c[0].selectbox("sample", range(BATCH), key=_k("w.si"),
                       format_func=lambda j: f"#{j}: {batch.labels[j]}")
    what = c[1].radio("along", SWEEPS, key=_k("w.what"))
    lo, hi = c[2].slider("range", -6.0, 6.0, (-3.0, 3.0), 0.5, key=_k("w.range"))
    steps = c[3].slider("steps", 3, 16, 9, key=_k("w.ssteps"))
    if what == SWEEPS[0]:
        effects = ex.coordinate_effects(batch.z[i], lo, hi)
        coord = int(np.argmax(effects))
        direction = latent.unit(coord, ex.latent_dim)
        along = f"coordinate {coord}"
        st.caption(f"Coordinate {coord} of z changes #{i} most: a mean pixel change of "
                   f"{effects[coord]:.3f} from {lo:g} to {hi:g}, against {np.median(effects):.3f} "
                   f"for the median coordinate (each of the {ex.latent_dim} coordinates tried).")
    elif what == SWEEPS[1]:
        coord = st.slider("coordinate of z", 0, ex.latent_dim - 1, 0, key=_k("w.coord"))
        direction, along = latent.unit(coord, ex.latent_dim), f"coordinate {coord}"
    else:
        d = np.random.default_rng(int(st.number_input("direction seed", 0, 10_000, 0,
                                                       key=_k("w.dseed")))).standard_normal(
            ex.latent_dim)
        direction, along = (d / np.linalg.norm(d)).astype(np.float32), what
    _strip(ex, latent.sweep(batch.z[i], direction, np.linspace(lo, hi, steps)), steps,
           f"#{i}, {along} moved from {lo:g} to {hi:g}", "sweep")


def _arithmetic(ex, batch, picks) -> None:
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


def _directions(ex, batch, picks) -> None:
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
    _strip(ex, z, 7, f"#{i} moved along {which}: {note}", "direction")


def _nearest(ex, batch, picks) -> None:
    i = st.selectbox("generated sample", range(BATCH), key=_k("w.ni"),
                     format_func=lambda j: f"#{j}: {batch.labels[j]}")
    found = ex.nearest(batch.images[i], k=4)
    st.caption("Is the generator copying its training digits? Its sample first, then the "
               "closest of the 5,000 shipped digits by pixels (L2) and by the classifier's "
               "features. Close but not equal is learning; equal would be memorising.")
    for name, (images, labels, dist) in found.items():
        shown = np.concatenate([batch.images[i][None], images])
        conf = np.ones(len(shown), np.float32)
        title = f"by {name}: distances " + ", ".join(f"{v:.2f}" for v in dist)
        st.plotly_chart(figs.strip_figure(shown, np.concatenate([[batch.labels[i]], labels]),
                                          conf, len(shown), title),
                        key=_k(f"nn.{name}"), config=CONFIG, theme=None)
