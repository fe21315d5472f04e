"""A model built once elsewhere is copied to a hub without torch: `fusehub model export` / `model import`
put it where the hub looks (`default_model_dir()`), refuse an archive for another adapter, and the imported
folder passes `fusehub model check`."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from fusehub.cli import app
from fusehub.reasoner.model_store import MANIFEST, default_model_dir, model_key
from typer.testing import CliRunner

runner = CliRunner()


def _fake_model(folder: Path, key: str) -> Path:
    folder.mkdir(parents=True)
    for name in ("genai_config.json", "model.onnx", "tokenizer.json"):
        (folder / name).write_text("{}")
    (folder / MANIFEST).write_text(json.dumps({"key": key, "format": "1"}))
    return folder


def test_export_then_import_lands_where_the_hub_looks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUSEHUB_MODEL_CACHE", str(tmp_path / "pi-cache"))
    src = _fake_model(tmp_path / "built", model_key())
    archive = tmp_path / "model.tar.gz"
    r = runner.invoke(app, ["model", "export", str(archive), "--model", str(src)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["model", "import", str(archive)])
    assert r.exit_code == 0, r.output
    dest = default_model_dir()
    assert r.output.strip() == str(dest)
    assert sorted(p.name for p in dest.iterdir()) == sorted(p.name for p in src.iterdir())
    assert not [p for p in dest.parent.iterdir() if p.name.startswith(".import-")]


def test_import_refuses_another_adapters_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUSEHUB_MODEL_CACHE", str(tmp_path / "pi-cache"))
    archive = tmp_path / "old.tar.gz"
    runner.invoke(app, ["model", "export", str(archive), "--model", str(_fake_model(tmp_path / "old", "0" * 16))])
    r = runner.invoke(app, ["model", "import", str(archive)])
    assert r.exit_code == 1 and "0000000000000000" in r.output and model_key() in r.output
    assert not default_model_dir().exists()


def test_import_refuses_paths_outside_the_folder(tmp_path: Path) -> None:
    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        data = b"x"
        info = tarfile.TarInfo("../escape.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    r = runner.invoke(app, ["model", "import", str(archive), "--out", str(tmp_path / "m")])
    assert r.exit_code == 1 and "not a fusehub model archive" in r.output
    assert not (tmp_path / "escape.txt").exists()


def test_export_of_an_unbuilt_folder_says_so(tmp_path: Path) -> None:
    r = runner.invoke(app, ["model", "export", str(tmp_path / "x.tar.gz"), "--model", str(tmp_path)])
    assert r.exit_code == 1 and "not a built model" in r.output


def test_the_real_model_survives_export_and_import(planner_model: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "model.tar.gz"
    assert runner.invoke(app, ["model", "export", str(archive), "--model", str(planner_model)]).exit_code == 0
    monkeypatch.setenv("FUSEHUB_MODEL_CACHE", str(tmp_path / "pi-cache"))
    r = runner.invoke(app, ["model", "import", str(archive)])
    assert r.exit_code == 0, r.output
    assert Path(r.output.strip()) == default_model_dir()
    r = runner.invoke(app, ["model", "check"])  # finds it where the hub looks
    assert r.exit_code == 0 and r.output.strip().endswith(": ok"), r.output
