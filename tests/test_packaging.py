"""Packaging metadata in its current form: the licence as an SPDX string with its file (the TOML-table form is
deprecated and warned about on every install), and each data-only folder declared (else setuptools warns
"package would be ignored")."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CFG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_licence_is_an_spdx_string_with_its_file() -> None:
    project = CFG["project"]
    assert project["license"] == "Apache-2.0"
    assert project["license-files"], "license-files names the licence text"
    for pattern in project["license-files"]:
        matches = list(ROOT.glob(pattern))
        assert matches, f"license-files pattern {pattern!r} matches nothing"
        assert "Apache License" in matches[0].read_text(encoding="utf-8")
    # the SPDX form needs setuptools 77 or newer (PEP 639)
    assert any(r.replace(" ", "").startswith("setuptools>=77") for r in CFG["build-system"]["requires"])
    assert not any(c.startswith("License ::") for c in project.get("classifiers", []))


def test_every_folder_of_package_data_is_a_declared_package() -> None:
    setuptools = CFG["tool"]["setuptools"]
    dirs: dict[str, str] = setuptools["package-dir"]
    packages = set(setuptools["packages"])

    def folder(pkg: str) -> Path:
        best = max((p for p in dirs if pkg == p or pkg.startswith(p + ".")), key=len)
        return ROOT / dirs[best] / Path(*pkg[len(best):].lstrip(".").split(".")) if pkg != best else ROOT / dirs[best]

    for pkg in packages:
        base = folder(pkg)
        for sub in base.iterdir():
            if sub.is_dir() and sub.name.isidentifier() and any(f.is_file() and f.suffix in (".yaml", ".json",
                                                                                             ".safetensors")
                                                                for f in sub.iterdir()):
                assert f"{pkg}.{sub.name}" in packages, f"{pkg}.{sub.name} holds package data: list it in packages"
