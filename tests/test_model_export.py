"""The model-building scripts' shared setup: the output folder is swapped in whole or not at all."""

import pytest

from analytics.model_export import source_model_folder, staged_output, write_provenance


def test_a_finished_model_replaces_the_old_one_and_leaves_nothing_behind(tmp_path):
    target = tmp_path / "models" / "m"
    target.mkdir(parents=True)
    (target / "old.txt").write_text("old")
    with staged_output(target) as staging:
        write_provenance(staging, {"source_model": "x"})
    assert sorted(p.name for p in target.iterdir()) == ["topictrends_model.json"]
    assert (target / "topictrends_model.json").read_text() == '{\n  "source_model": "x"\n}\n'
    assert sorted(p.name for p in target.parent.iterdir()) == ["m"]


def test_a_failed_build_keeps_the_old_model_and_removes_its_staging_folder(tmp_path):
    target = tmp_path / "m"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with pytest.raises(RuntimeError), staged_output(target) as staging:
        (staging / "half.bin").write_bytes(b"x")
        raise RuntimeError("interrupted")
    assert [p.name for p in target.iterdir()] == ["old.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["m"]


def test_a_source_folder_without_the_needed_file_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="has no config.json"):
        source_model_folder(tmp_path, "config.json")
    (tmp_path / "config.json").write_text("{}")
    assert source_model_folder(tmp_path, "config.json") == tmp_path
