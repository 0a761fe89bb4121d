"""tools/gpu_check.py in its CPU mode: every field present, no host sync in a step, every
shipped run loads and samples on this device."""
import pytest

from tools import gpu_check


@pytest.mark.slow
def test_the_device_check_runs_on_the_cpu_and_reports_every_field(capsys):
    report = gpu_check.main(["--quick", "--device", "cpu"])
    assert '"eager_steps_per_s_2d_default"' in capsys.readouterr().out  # printed as JSON
    assert report["device"] == "cpu" and report["quick"] is True
    assert report["eager_steps_per_s_2d_default"] > 0
    assert report["dcgan_fast_images_per_s"] > 0
    assert report["dcgan_fast_to_quality_bar"]["steps"] > 0
    assert report["batched"]["k"] == 8 and report["batched"]["steps_per_s"] > 0
    for ops in report["step_ops"].values():
        assert ops["host_syncs_per_step"] == 0 and ops["aten_calls_per_step"] > 0
    assert report["cuda_memory"].startswith("n/a")
    assert report["shipped_runs"] and set(report["shipped_runs"].values()) == {"ok"}
