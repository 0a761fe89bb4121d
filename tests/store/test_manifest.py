"""The one manifest reader and writer and the one SHA-256-checked byte reader: the shipped
manifest reads, bad manifests and files raise the caller's error class naming the file, a
rewrite keeps every other section in its place, and the checked bytes are the bytes returned."""
import hashlib
import json
import shutil

import pytest

from playground.metrics import classifier
from playground.store import checkpoint, manifest, pretrained


class Mine(ValueError):
    """A caller's own error class."""


def test_the_shipped_manifest_has_both_sections():
    sections = manifest.read()
    assert {"runs", "models"} <= set(sections)
    assert pretrained.read_manifest().ids() == list(sections["runs"])
    assert classifier.manifest_entry() == sections["models"][classifier.ENTRY]


@pytest.mark.parametrize(("text", "message"), [
    (None, "manifest.json: no such file"),
    ("{not json", "manifest.json is not a valid manifest (Expecting property name"),
    ("[1, 2]", "manifest.json is not a valid manifest (not a JSON object)"),
])
def test_a_bad_manifest_raises_the_callers_error(tmp_path, text, message):
    if text is not None:
        (tmp_path / manifest.NAME).write_text(text)
    with pytest.raises(Mine, match=message.replace("(", r"\(").replace(")", r"\)")):
        manifest.read(tmp_path, Mine)


def test_writing_sections_keeps_the_others_in_place_and_leaves_no_temp_file(tmp_path):
    shutil.copy(manifest.ROOT / manifest.NAME, tmp_path / manifest.NAME)
    before = manifest.read(tmp_path)
    manifest.write_sections({"about": "changed"}, tmp_path)
    after = manifest.read(tmp_path)
    assert list(after) == list(before) and after["about"] == "changed"
    assert after["runs"] == before["runs"] and after["models"] == before["models"]
    assert [p.name for p in tmp_path.iterdir()] == [manifest.NAME]


def test_a_new_manifest_starts_empty_and_a_broken_one_is_not_overwritten(tmp_path):
    manifest.write_sections({"models": {}}, tmp_path)
    assert json.loads((tmp_path / manifest.NAME).read_text()) == {"models": {}}
    (tmp_path / manifest.NAME).write_text("{broken")
    with pytest.raises(Mine, match="is not a valid manifest"):
        manifest.write_sections({"models": {}}, tmp_path, Mine)
    assert (tmp_path / manifest.NAME).read_text() == "{broken"


def test_read_checked_returns_the_checked_bytes_and_names_only_the_file(tmp_path):
    data = b"some weights"
    path = tmp_path / "w.pt"
    path.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    assert manifest.sha256(path) == digest
    assert manifest.read_checked(path, digest, Mine) == data
    assert manifest.read_checked(path, None, Mine) == data  # no check asked for
    path.write_bytes(data + b"!")
    with pytest.raises(Mine) as err:
        manifest.read_checked(path, digest, Mine)
    assert str(err.value) == ("w.pt does not match its recorded SHA-256: the file was changed "
                              "or damaged after it was made")
    with pytest.raises(Mine) as err:
        manifest.read_checked(tmp_path / "gone.pt", digest, Mine)
    assert str(err.value) == "gone.pt: no such file"
    with pytest.raises(Mine, match=r"^folder: cannot read \("):
        (tmp_path / "folder").mkdir()
        manifest.read_checked(tmp_path / "folder", None, Mine)


def test_checkpoints_and_the_classifier_check_through_it_alike(tmp_path):
    """The same damaged file gives the same message from both loaders (the classifier's
    named its folder and both hashes before: one convention now)."""
    shutil.copy(classifier.ROOT / classifier.FILE, tmp_path / "x.pt")
    wrong = "0" * 64
    with pytest.raises(checkpoint.CheckpointError) as a:
        checkpoint.read(tmp_path / "x.pt", wrong)
    with pytest.raises(classifier.ClassifierError) as b:
        classifier.load(tmp_path / "x.pt", wrong)
    assert str(a.value) == str(b.value) and str(tmp_path) not in str(b.value)
