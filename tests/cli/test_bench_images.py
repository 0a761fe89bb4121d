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
