"""The registry: ids select, unknown ids name the valid ones."""
import pytest

from playground.registry import Registry


def test_registry_lookup_and_errors():
    r = Registry("colour")
    r.add("red", 1)
    r.add("green", 2)
    assert r.get("green") == 2 and r.ids() == ["red", "green"] and "red" in r and len(r) == 2
    with pytest.raises(ValueError, match="unknown colour 'blue'; valid: red, green"):
        r.get("blue")
    with pytest.raises(ValueError, match="duplicate"):
        r.add("red", 3)
    with pytest.raises(ValueError, match="lowercase"):
        r.add("Red", 3)
