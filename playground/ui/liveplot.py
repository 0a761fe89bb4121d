"""A plotly chart that updates in place: a tiny Streamlit component calling `Plotly.react`.

Why: `st.plotly_chart` derives its element id from the figure itself, so every new frame got a
new id and the browser remounted the chart (measured: a new DOM node each frame, ~1.7 frames/s
on this 2-core box, the software-WebGL process at ~60% CPU). A component keeps one iframe per
`key`; new figures arrive as arguments and `Plotly.react` redraws only what changed, keeping
zoom (`uirevision`). plotly.js is the copy bundled with the plotly package (works offline).
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st
import streamlit.components.v1 as components

NAME = "playground_liveplot"
# The component page: the Streamlit component protocol by hand (no npm build), then
# Plotly.react on every render message. `meta.step` is mirrored on the element for tests.
INDEX_HTML = """<!doctype html>
<html><head><meta charset="utf-8">
<style>html,body{margin:0;padding:0;overflow:hidden;background:transparent}
#plot{width:100%}</style>
<script src="plotly.min.js"></script></head>
<body><div id="plot"></div>
<script>
const div = document.getElementById("plot");
function send(type, data) {
  window.parent.postMessage(Object.assign({isStreamlitMessage: true, type: type}, data), "*");
}
let lastHeight = 0;
let lastLayout = null;
// layout.meta.fit = {share, minus, min, max}: height = share * window height - minus, clamped,
// so a projector at 1280 x 800 shows the whole plot and a 1080p screen the curves too.
// A chart sized to the whole window (share 1: the picture) also ends inside the first screen,
// `BELOW` px above its bottom edge, wherever it sits: `minus` is the chrome of one page, and
// the follower's title and overlay pills put its picture 26 px lower, the legend off a
// 1280 x 800 projector.
const BELOW = 10;
function pageTop() {  // the iframe's top on the page, however far it is scrolled
  const f = window.frameElement;
  if (!f) return null;
  let top = f.getBoundingClientRect().top + (window.parent.scrollY || 0);
  for (let p = f.parentElement; p; p = p.parentElement) top += p.scrollTop || 0;
  return top;
}
function fitted(layout) {
  const fit = layout.meta && layout.meta.fit;
  let vh = 0, top = null;
  try { vh = window.parent.innerHeight; top = pageTop(); } catch (e) { vh = 0; }
  if (!fit || !vh) return layout.height;
  let h = Math.round(fit.share * vh - fit.minus);
  if (fit.share >= 1 && top !== null && top > 0) h = Math.min(h, Math.round(vh - top - BELOW));
  if (fit.aspect) {  // a fixed-aspect plot limited by its width: no empty bands around it
    const w = div.offsetWidth || window.innerWidth;
    h = Math.min(h, Math.round(fit.aspect[0] * w + fit.aspect[1]));
  }
  return Math.max(fit.min, Math.min(fit.max, h));
}
function tellHeight(height) {
  if (height !== lastHeight) {
    lastHeight = height;
    send("streamlit:setFrameHeight", {height: height});
  }
}
window.addEventListener("message", (event) => {
  if (!event.data || event.data.type !== "streamlit:render") return;
  const args = event.data.args;
  const fig = JSON.parse(args.spec);
  const layout = Object.assign({}, fig.layout, {autosize: true});
  layout.height = fitted(layout) || layout.height;
  lastLayout = layout;
  Plotly.react(div, fig.data, layout, JSON.parse(args.config)).then(() => {
    tellHeight(layout.height || div.offsetHeight);
  });
});
window.addEventListener("resize", () => Plotly.Plots.resize(div));
function refit() {
  if (!lastLayout) return;
  const height = fitted(lastLayout);
  if (height && Math.abs(height - lastLayout.height) > 2) {
    lastLayout.height = height;
    Plotly.relayout(div, {height: height}).then(() => tellHeight(height));
  }
}
try { window.parent.addEventListener("resize", refit); } catch (e) {}
// What sits above the chart can change without a new figure (a paused page draws once): a
// warning, a row of buttons that wraps. Re-check its place now and then (one layout read).
setInterval(refit, 1000);
send("streamlit:componentReady", {apiVersion: 1});
</script></body></html>
"""


@st.cache_resource
def _component():
    """Write the component's two files once per server process and register it."""
    folder = Path(tempfile.mkdtemp(prefix="playground-liveplot-"))
    (folder / "index.html").write_text(INDEX_HTML, encoding="utf-8")
    bundled = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    shutil.copyfile(bundled, folder / "plotly.min.js")
    return components.declare_component(NAME, path=str(folder))


def live_chart(fig: go.Figure, key: str, config: dict) -> None:
    """Draw `fig` into the component instance `key` (created once, then updated in place)."""
    import json

    spec = pio.to_json(fig, validate=False)  # numpy arrays travel as base64 typed arrays
    _component()(spec=spec, config=json.dumps({"responsive": True, **config}), key=key,
                 default=None)
