"""The theory lab's CLI commands write their JSON and HTML; bad input is one line, exit 2."""
import json
import math

import pytest

from playground.cli import main


def test_parallel_lines_writes_json_and_figures(tmp_path, capsys):
    rc = main(["parallel-lines", "--thetas", "0", "1", "--n", "64", "--fit-steps", "300",
               "--theta-steps", "20", "--out", str(tmp_path)])
    assert rc == 0
    data = json.loads((tmp_path / "parallel_lines.json").read_text())
    one = next(r for r in data["rows"] if r["theta"] == 1.0)
    assert one["w"] == 1.0 and one["kl"] == "+inf" and float(one["kl"]) == math.inf
    assert one["js"] == pytest.approx(math.log(2))
    for key in ("js_learned", "w_learned", "w1_sample"):
        assert isinstance(one[key], float)
    assert one["w1_sample"] == pytest.approx(1.0, abs=0.05)
    assert set(data["floor"]) >= {"w1_mean", "w1_std", "js_learned", "w_learned"}
    assert set(data["theta_training"]["summary"]) == {"minimax", "ns", "wgan_gp"}
    for name in ("closed_forms", "estimates", "theta_training"):
        assert (tmp_path / f"{name}.html").stat().st_size > 1000
    assert (tmp_path / "plotly.min.js").exists()
    assert "sampling floor" in capsys.readouterr().out


def test_wgan_fig2_writes_json(tmp_path):
    assert main(["wgan-fig2", "--fit-steps", "200", "--out", str(tmp_path)]) == 0
    r = json.loads((tmp_path / "wgan_fig2.json").read_text())["result"]
    assert len(r["x"]) == len(r["d_prob"]) and r["d_grad_at_fakes"] < r["d_grad_max"]
    assert (tmp_path / "wgan_fig2.html").exists()


def test_em_vs_js_writes_json(tmp_path):
    assert main(["em-vs-js", "--dataset", "gaussian", "--steps", "10", "--eval-every", "5",
                 "--kernel", "3", "--out", str(tmp_path)]) == 0
    c = json.loads((tmp_path / "em_vs_js.json").read_text())["curves"]
    assert c["ns"]["step"] == [0, 5, 10] and c["wgan_gp"]["is_critic"] is True


@pytest.mark.parametrize("argv, needle", [
    (["parallel-lines", "--thetas", "5", "--out", "X"], "theta=5.0 is out of range"),
    (["parallel-lines", "--n", "3", "--out", "X"], "n=3 is out of range"),
    (["parallel-lines", "--fit-steps", "0", "--out", "X"], "--fit-steps"),
    (["wgan-fig2", "--critic", "ns", "--out", "X"], "unknown critic 'ns'"),
    (["wgan-fig2", "--sd-fake", "-1", "--out", "X"], "sd_fake"),
    (["em-vs-js", "--kernel", "4", "--out", "X"], "kernel=4 must be odd"),
    (["em-vs-js", "--dataset", "nope", "--out", "X"], "unknown dataset 'nope'"),
])
def test_bad_input_is_one_line(argv, needle, tmp_path, capsys):
    argv = [a if a != "X" else str(tmp_path / "out") for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and "\n" not in err and "Traceback" not in err
