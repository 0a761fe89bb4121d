"""`bench --dataset mnist`'s quality bar and its time-to-quality loop (no timings asserted)."""
import torch

from playground.cli import bench_images

AT_BAR = {"classes": 10.0, "confidence": 0.9, "class_kl": 0.0999}


def test_the_bar_is_ten_classes_confidence_090_and_kl_under_01():
    assert bench_images.reached(AT_BAR)
    for key, just_missed in (("classes", 9.0), ("confidence", 0.8999), ("class_kl", 0.1)):
        assert not bench_images.reached({**AT_BAR, key: just_missed}), key


def test_time_to_quality_counts_training_only_and_stops_at_its_limit():
    out = bench_images.time_to_quality("dcgan_fast", limit_s=1.0, every_s=0.5,
                                       device=torch.device("cpu"))
    assert not out["reached"]  # one second of CPU is far from digits
    assert 1.0 <= out["train_seconds"] < 2.0 and out["steps"] > 0
    assert out["wall_seconds_with_evaluations"] > out["train_seconds"]  # two evaluations
    assert out["images"] == out["steps"] * 32
    assert set(out["at_stop"]) >= {"classes", "confidence", "class_kl", "fd"}


def test_each_seed_is_timed_and_drift_steps_train_on_and_evaluate_again():
    out = bench_images.over_seeds("dcgan_fast", (3, 4), limit_s=0.3, every_s=0.3,
                                  device=torch.device("cpu"), drift_steps=40)
    assert [r["seed"] for r in out["runs"]] == [3, 4]
    assert out["reached_on"] == "0/2 seeds" and out["median_train_seconds"] is None
    for r in out["runs"]:
        assert r["steps"] < 40 and r["later"]["steps"] == 40  # trained on to the drift count
        assert r["later"]["still_at_bar"] is False and "class_kl" in r["later"]
    plain = bench_images.time_to_quality("dcgan_fast", 0.3, 0.3, torch.device("cpu"), seed=3)
    assert "later" not in plain  # no drift check asked for


def test_bench_refuses_bad_seeds_and_drift_steps(capsys):
    from playground.cli import main
    for argv in (["--seeds", "a,b"], ["--seeds", "-1"], ["--drift-steps", "-5"]):
        code = main(["bench", "--dataset", "mnist", *argv])
        err = capsys.readouterr().err
        assert code != 0 and "Traceback" not in err, argv
        assert ("--seeds" in err) or ("--drift-steps" in err), err
