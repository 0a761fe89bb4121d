"""tools/find_arithmetic.py: a shipped preset scores as the latent explorer uses it, and a
candidate the generator cannot do is scored low."""
import pytest

from playground.latent import explorer
from tools import find_arithmetic


@pytest.fixture(scope="module")
def shipped():
    return explorer.Explorer.shipped()


def test_a_shipped_preset_holds_and_a_wrong_promise_does_not(shipped):
    sample = shipped.labelled()
    preset = explorer.ARITHMETIC.get("thick_2")
    hits, gain = find_arithmetic.check(shipped, sample, preset)
    assert hits >= 21 and gain > 0  # of 24 neighbours (3 seeds x 8) read as 2, thicker
    wrong = explorer.ArithmeticPreset("", "", preset.groups, 1, "thick")  # promise a 1
    assert find_arithmetic.check(shipped, sample, wrong)[0] <= 3
