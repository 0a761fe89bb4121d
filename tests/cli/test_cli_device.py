"""`--device` on the commands that build runs: it reaches the runs (over PLAYGROUND_DEVICE),
lasts only the command, and CUDA asked for where there is none is a one-line error."""
import json
import os

import pytest
import torch

from playground.cli import device, main

NO_CUDA = pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA device is present")


@pytest.mark.parametrize("command", device.BUILDS_RUNS)
def test_the_run_building_commands_take_device(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert "--device {auto,cpu,cuda}" in capsys.readouterr().out


def test_other_commands_do_not(capsys):
    with pytest.raises(SystemExit):
        main(["presets", "--device", "cpu"])
    assert "unrecognized arguments: --device" in capsys.readouterr().err


def test_device_cpu_wins_over_the_environment_for_the_command_only(tmp_path, monkeypatch):
    monkeypatch.setenv(device.ENV, "meta")  # a run built on it could not train or score
    out = tmp_path / "run"
    assert main(["train", "--dry-run", "--set", "width=16", "--out", str(out),
                 "--device", "cpu"]) == 0
    assert json.loads((out / "metrics.json").read_text())["device"] == "cpu"
    assert os.environ[device.ENV] == "meta"


def test_auto_leaves_the_rule_as_it_was(monkeypatch):
    monkeypatch.delenv(device.ENV, raising=False)
    with device.chosen(type("Args", (), {"device": "auto"})()):
        assert device.ENV not in os.environ
    assert device.resolve("cpu") == "cpu" and device.resolve("auto") is None


@NO_CUDA
@pytest.mark.parametrize("argv", [
    ["train", "--dry-run"], ["sample", "--checkpoint", "shipped:r1_ring"],
    ["table", "--steps", "1"], ["bench", "--steps", "1"]])
def test_cuda_without_a_gpu_is_one_line(argv, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main([*argv, "--device", "cuda"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --device cuda: this torch") and "sees no CUDA device" in err
    assert "Traceback" not in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # refused before anything was written
