"""How often one rerun of the 2D lab validates its config: `config.validate` counted (with its
callers) while AppTest renders the lab, reruns it unchanged and reruns it after a learning-rate
change. `python -m tools.validate_count`. Issue 18 measured 3 per plain rerun (the controls'
config, then the link's preset baseline twice); the lab now validates only a change.
"""
from __future__ import annotations

import collections
import traceback

from streamlit.testing.v1 import AppTest

from playground import config
from playground.ui import state

SMALL = {"width": "16", "depth": "1", "batch_size": "32", "n_fixed": "64", "grid_res": "25"}


def _lab() -> None:
    from playground.ui.pages import lab2d

    lab2d.render()


def main() -> None:
    calls: collections.Counter[str] = collections.Counter()
    validate = config.validate

    def counting(cfg):
        callers = [f.name for f in traceback.extract_stack(limit=6)[:-1]]
        calls[" <- ".join(reversed(callers))] += 1
        return validate(cfg)

    config.validate = counting  # RunConfig.replace and from_dict look it up at each call
    at = AppTest.from_function(_lab, default_timeout=180)
    at.query_params.update(SMALL)

    def report(what: str) -> None:
        print(f"{what}: {sum(calls.values())} validate calls")
        for where, n in calls.most_common():
            print(f"  {n:3d}  {where}")
        calls.clear()

    try:
        at.run()
        report("first render")
        at.run()
        report("plain rerun")
        at.select_slider(key=state.widget_key(at.session_state, "lr_d")).set_value(2e-3).run()
        report("rerun after an lr_d change")
    finally:
        config.validate = validate
        trainer = at.session_state[state.key("trainer")]
        if trainer is not None:
            trainer.close()


if __name__ == "__main__":
    main()
