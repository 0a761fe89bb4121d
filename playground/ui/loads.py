"""Bringing a run in from elsewhere on a lab page: a shipped run (pretrained/), a CSV of 2D points
for the custom dataset, an uploaded checkpoint. Each is a widget callback bound to the page's
namespace; a loaded run is paused, to show what it holds, and a refused file says why (in its
own name) while the current run stays. The page's own controller is `session.py`.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from playground.config import RunConfig
from playground.data import datasets
from playground.data.uploads import UploadError, parse_points_csv
from playground.store import pretrained
from playground.ui import guard, session
from playground.ui.session import page, trainer
from playground.ui.state import Page


def custom_notice(points, cfg: RunConfig) -> str:
    """What was done to uploaded points before training (shown under the upload)."""
    if points is None:
        return ""
    if not cfg.standardise:
        return "Training on the raw coordinates."
    a = datasets.standardisation(points)
    return (f"Standardised for training: subtracted the mean ({a.offset[0]:.4g}, "
            f"{a.offset[1]:.4g}) and divided by {a.scale:.4g}. The plot's axes and W1 are in "
            "your data's own units.")


def _loaded(pg: Page, cfg: RunConfig, preset: str, shipped: str | None) -> None:
    """The controls and link follow a run that was loaded (shipped or uploaded)."""
    pg.put("preset", preset)
    pg.put("shipped", shipped)
    pg.ss[pg.key("w.preset")] = preset
    pg.put("cfg", cfg)
    pg.write_widgets(cfg)


def on_pretrained(ns: str) -> None:
    """Load a shipped run (pretrained/): its weights and config, paused, so a demo starts from
    a trained picture. The picker is an action: it goes back to empty afterwards."""
    pg = page(ns)
    picker = pg.key("w.pretrained")
    choice, pg.ss[picker] = pg.ss.get(picker), None
    if not choice:
        return
    try:
        entry = pretrained.read_manifest().get(choice)
        t = trainer(pg)
        if t is None:  # e.g. the custom dataset still waits for its CSV
            t = session._new_trainer(pg, entry.config(), None)
        cfg = t.load(pretrained.path_of(choice), entry.expected_sha256)
    except ValueError as e:
        pg.notify("error", f"Could not load the shipped run {choice!r}: {e}")
        return
    _loaded(pg, cfg, entry.preset, choice)
    pg.notify("success", f"Loaded the shipped run “{entry.title}”: {entry.total_steps:,} steps of "
              f"preset {entry.preset}, paused. {entry.caption} Press Train to go on.")


def on_upload(ns: str) -> None:
    """A CSV of 2D points for the custom dataset."""
    pg = page(ns)
    upload = pg.ss.get(pg.key("w.upload"))
    if upload is None:
        return
    try:
        points = parse_points_csv(upload.getvalue())
    except UploadError as e:
        pg.notify("warning", f"{upload.name}: {e}")
        return
    pg.put("points", points)
    pg.put("upload_name", upload.name)
    pg.put("fresh", f"Loaded {len(points):,} points from {upload.name}: new run. "
           + custom_notice(points, pg.get("cfg")))


def on_checkpoint(ns: str) -> None:
    """An uploaded checkpoint (this page's kind of data): its weights and settings, paused.
    A foreign, damaged or wrong-kind file is refused with the reason; the run stays."""
    pg = page(ns)
    upload = pg.ss.get(pg.key("w.checkpoint"))
    if upload is None:
        return
    t = trainer(pg)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.pt"
        path.write_bytes(upload.getvalue())
        try:
            cfg = t.load(str(path), kind=pg.spec.kind)
        except ValueError as e:  # the reason, in the file's own name (not the temp file's)
            text = guard.public(str(e), {str(path): upload.name, path.name: upload.name})
            pg.notify("error", text if upload.name in text else f"{upload.name}: {text}")
            return
    _loaded(pg, cfg, pg.get("preset"), None)
    pg.notify("success", f"Loaded {upload.name}: {cfg.arch or 'default'} model at step "
              f"{t.latest()[1].step:,}, paused. Press Train to go on.")


guard.callbacks(globals())  # an error in a callback: a message on the page, details in the log
