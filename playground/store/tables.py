"""The stored mode-collapse tables that the lecturer's page shows: `docs/tables/<id>.json`, each
the record `python -m playground reproduce <id> --json PATH` writes (cli/reproduce.py: every
row's published numbers, our mean ± standard error per dataset and every trial's numbers).

Reading checks the record's shape against the table registry (paper_tables.py) and raises
`TableError` with one line saying what is wrong, so a hand-edited or truncated file becomes a
message on the page, never a traceback. Nothing here trains: the page shows what was measured,
with the command, budget, wall time and device that measured it.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from playground.data.datasets import DATASETS
from playground.metrics.trials import Summary
from playground.paper_tables import DIGITS, METRIC_NAMES, TABLES, PaperTable

ROOT = Path(__file__).resolve().parents[2] / "docs" / "tables"
# The lab's own preset against the papers' best rows lives in one place, docs/presets.md (its
# section BEYOND, with the command for each run table); the page shows that section as it is.
PRESETS_DOC = ROOT.parent / "presets.md"
BEYOND = "## Beyond the papers' best rows"
MAX_BYTES = 4 * 2**20  # a 10-trial record is ~60 KB; anything near this is not ours


class TableError(ValueError):
    """A stored table that cannot be shown, with the reason in one line."""


@dataclass(frozen=True)
class Ours:
    """One row's result on one dataset: the summary per metric and how it was obtained."""
    summary: dict[str, Summary]  # metric -> mean ± s.e. over the trials
    trials: tuple[dict, ...]  # each trial's seed, modes, hq_pct, rkl, steps, status
    steps: int
    seconds: float
    device: str
    trained: str  # "batched: N runs as one computation" or "one after another (why)"

    @property
    def diverged(self) -> int:
        return sum(t.get("status") != "ok" for t in self.trials)


@dataclass(frozen=True)
class StoredRow:
    method: str
    label: str  # the chart's axis label (the registry row's `label`)
    how: str
    published: dict[str, dict[str, Summary]]  # dataset -> metric -> the paper's number
    ours: dict[str, Ours]  # dataset -> ours (absent: not reproduced, or not run)
    reproduced: bool
    lab_row: bool  # the lab's own setup beside the paper's rows (no published numbers)


@dataclass(frozen=True)
class StoredTable:
    id: str
    spec: PaperTable  # the registry's entry: title, source, metrics, the paper's length
    datasets: tuple[str, ...]
    trials: int
    seed0: int
    budget: float
    steps: int
    rows: tuple[StoredRow, ...]
    path: Path

    def n_modes(self, dataset: str) -> int:
        """The dataset's mode count (the tables run the registry's defaults: ring 8, grid 25)."""
        return DATASETS.get(dataset).defaults.n_modes

    @property
    def command(self) -> str:
        """The command that rewrites this record (the device and threads are the runner's)."""
        return (f"python -m playground reproduce {self.id} --trials {self.trials} "
                f"--budget {self.budget:g} --seed0 {self.seed0} --json docs/tables/{self.id}.json")

    def devices(self) -> list[str]:
        return sorted({o.device for r in self.rows for o in r.ours.values()})

    def seconds(self) -> float:
        """Wall time of every row's training and scoring together."""
        return sum(o.seconds for r in self.rows for o in r.ours.values())


def cells(t: StoredTable, dataset: str) -> list[dict[str, str]]:
    """The table as the page prints it: per row the paper's line, then ours (or "not
    reproduced"), each metric as mean ± s.e. in the paper's decimals."""
    out = []
    for r in t.rows:
        if not r.lab_row:
            pub = r.published.get(dataset, {})
            out.append({"method": r.method, "row": "paper",
                        **{METRIC_NAMES[k]: pub[k].text(DIGITS[k]) if k in pub else "—"
                           for k in t.spec.metrics},
                        "trials": str(t.spec.trials), "G updates": f"{t.spec.steps:,}",
                        "wall time": "", "device": ""})
        o = r.ours.get(dataset)
        if o is None:
            out.append({"method": r.method, "row": "ours",
                        **{METRIC_NAMES[k]: "not reproduced" if not r.reproduced else "not run"
                           for k in t.spec.metrics},
                        "trials": "", "G updates": "", "wall time": "", "device": ""})
            continue
        div = f" ({o.diverged} diverged)" if o.diverged else ""
        out.append({"method": r.method, "row": "ours",
                    **{METRIC_NAMES[k]: o.summary[k].text(DIGITS[k]) for k in t.spec.metrics},
                    "trials": f"{len(o.trials)}{div}", "G updates": f"{o.steps:,}",
                    "wall time": f"{o.seconds:,.0f} s", "device": o.device})
    return out


def trial_rows(t: StoredTable) -> list[dict]:
    """Every trial of every row and dataset, one line each (the page's "Every trial")."""
    return [{"method": r.method, "dataset": d, "seed": tr.get("seed"),
             **{METRIC_NAMES[k]: tr.get(k) for k in t.spec.metrics},
             "steps": tr.get("steps"), "status": tr.get("status")}
            for r in t.rows for d, o in r.ours.items() for tr in o.trials]


def beyond(path: Path | None = None) -> tuple[str, str]:
    """(title, Markdown body) of docs/presets.md's section on the lab's preset beside the papers'
    best rows: from its `## ` heading to the next one or the end. TableError when the file or
    the section is not there."""
    path = Path(path or PRESETS_DOC)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise TableError(f"{path.name} cannot be read: {e}") from None
    start = next((i for i, line in enumerate(lines) if line.startswith(BEYOND)), None)
    if start is None:
        raise TableError(f"{path.name} has no section {BEYOND!r}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
               len(lines))
    return lines[start].removeprefix("## ").strip(), "\n".join(lines[start + 1:end]).strip()


def stored_ids(root: Path | None = None) -> list[str]:
    """The registry's tables that have a stored record, in registry order."""
    return [t for t in TABLES.ids() if (Path(root or ROOT) / f"{t}.json").is_file()]


def load(table_id: str, root: Path | None = None) -> StoredTable:
    """The stored record of `table_id` under `root` (default: docs/tables)."""
    spec = TABLES.get(table_id)  # an unknown id raises ValueError naming the valid ones
    path = Path(root or ROOT) / f"{table_id}.json"
    if not path.is_file():
        raise TableError(f"no stored {table_id} table: run `python -m playground reproduce "
                         f"{table_id} --json {path}`")
    if path.stat().st_size > MAX_BYTES:
        raise TableError(f"{path.name} is {path.stat().st_size:,} bytes, more than any record "
                         f"reproduce writes ({MAX_BYTES:,}); not read")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise TableError(f"{path.name} is not a readable JSON record: {e}") from None
    try:
        return _parse(table_id, spec, record, path)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        detail = f"missing {e}" if isinstance(e, KeyError) else str(e)
        raise TableError(f"{path.name} is not a reproduce record for {table_id}: "
                         f"{detail}") from None


def _parse(table_id: str, spec: PaperTable, rec: dict, path: Path) -> StoredTable:
    if rec["table"] != table_id:
        raise ValueError(f"it holds {rec['table']!r}")
    datasets = tuple(rec["datasets"])
    if not datasets or any(d not in spec.datasets for d in datasets):
        raise ValueError(f"datasets {list(datasets)} are not a subset of {list(spec.datasets)}")
    known = {r.method: r for r in spec.rows}
    if not rec["rows"] or any(r["method"] not in known for r in rec["rows"]):
        raise ValueError(f"its rows {[r['method'] for r in rec['rows']]} are not the table's")
    rows = tuple(_row(r, known[r["method"]].label, spec, datasets) for r in rec["rows"])
    trials, steps = _count(rec["trials"], "trials"), _count(rec["steps"], "steps")
    budget = float(rec["budget"])
    if not (math.isfinite(budget) and budget > 0):
        raise ValueError(f"budget {budget} is not positive")
    return StoredTable(table_id, spec, datasets, trials, _count(rec["seed0"], "seed0", 0),
                       budget, steps, rows, path)


def _row(r: dict, label: str, spec: PaperTable, datasets: tuple[str, ...]) -> StoredRow:
    published = {d: {k: _published(v, spec.trials) for k, v in p.items() if k in spec.metrics}
                 for d, p in r["published"].items()}
    ours = {}
    for d, o in r["ours"].items():
        if d not in datasets:
            raise ValueError(f"row {r['method']!r} has results on {d!r}, not a stored dataset")
        if not isinstance(o["trials"], list) or not all(isinstance(x, dict) for x in o["trials"]):
            raise ValueError(f"row {r['method']!r} on {d}: trials is not a list of records")
        ours[d] = Ours({k: _summary(o[k]) for k in spec.metrics}, tuple(o["trials"]),
                       _count(o["steps"], "steps"), float(o["seconds"]), str(o["device"]),
                       str(o["trained"]))
    return StoredRow(str(r["method"]), label, str(r["how"]), published, ours, bool(r["reproduced"]),
                     not r["published"])


def _summary(s: dict) -> Summary:
    def num(v) -> float:
        return math.nan if v is None else float(v)
    return Summary(num(s["mean"]), num(s["se"]), _count(s["n"], "n", 0),
                   _count(s.get("missing", 0), "missing", 0))


def _published(v: list, trials: int) -> Summary:
    mean, se = v  # [mean, standard error or null]
    return Summary(float(mean), math.nan if se is None else float(se), trials)


def _count(v, name: str, least: int = 1) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < least:
        raise ValueError(f"{name} {v!r} is not an integer >= {least}")
    return v
