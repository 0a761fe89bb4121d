"""tools/bench_compare.py, the batched-vs-in-turns benchmark: it measures K runs on both paths
and prints a row with the path Lockstep picks; bad arguments are refused. No timing is asserted
(a benchmark, not a timed test)."""
import pytest

from playground.config import RunConfig
from tools import bench_compare

TINY = RunConfig(width=8, depth=1, batch_size=8, n_fixed=16, grid_res=10)


def test_a_row_measures_both_paths_and_names_the_pick():
    k = 3
    r = bench_compare.measure(1, k, TINY, steps=2, repeats=1)
    assert (r["threads"], r["k"], r["picked"]) == (1, k, "batched")
    numbers = [r[key] for key in ("batched", "turns", "speedup", "cpu_batched", "cpu_turns",
                                  "cpu_speedup")] + list(r["x_one"])
    assert all(x > 0 for x in numbers)
    cells = bench_compare.row(r).split()
    assert cells[:2] == ["1", str(k)] and cells[-1] == "batched"
    assert len(cells) == 14  # threads, K, 8 numbers, 3 bars, the pick


@pytest.mark.parametrize("argv", [["--k", "5"], ["--threads", "0"]])
def test_refuses_what_a_comparison_cannot_be(argv, capsys):
    with pytest.raises(SystemExit) as e:
        bench_compare.main(argv)
    assert e.value.code == 2 and "--k takes 2-4" in capsys.readouterr().err
