"""Issue 24: the theme's files are listed without walking its dot folders (Material's
14,000 icons), and MkDocs finds the same theme files as it does by itself."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO
from mkdocs.config import load_config
from mkdocs.structure.files import Files

from generator.site.theme_files import theme_files_listed_quickly


def theme_files(config) -> list[tuple[str, str]]:
    files = Files([])
    files.add_files_from_theme(config.theme.get_env(), config)
    return [(file.src_uri, file.abs_src_path) for file in files]


def test_the_shipped_theme_gives_the_same_files(tmp_path):
    config = load_config(str(REPO / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    by_mkdocs = theme_files(config)
    with theme_files_listed_quickly():
        assert theme_files(config) == by_mkdocs
    assert any(uri.startswith("assets/") for uri, _ in by_mkdocs)
    assert Files.add_files_from_theme.__qualname__ == "Files.add_files_from_theme"  # restored after


def test_a_theme_folder_with_dot_folders_and_files(tmp_path):
    overrides = tmp_path / "overrides"
    for path in (
        "assets/a.css",
        "assets/.b.css",
        ".icons/x.svg",
        "deep/.hidden/y.js",
        "deep/z.js",
        ".top.js",
    ):
        (overrides / path).parent.mkdir(parents=True, exist_ok=True)
        (overrides / path).write_text(path)
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\ntheme:\n  name: material\n  custom_dir: overrides\n", encoding="utf-8"
    )
    (tmp_path / "docs").mkdir()
    config = load_config(str(tmp_path / "mkdocs.yml"))
    by_mkdocs = theme_files(config)
    with theme_files_listed_quickly():
        quickly = theme_files(config)
    assert quickly == by_mkdocs
    ours = sorted(uri for uri, path in quickly if Path(path).is_relative_to(overrides))
    assert ours == ["assets/a.css", "deep/z.js"]
