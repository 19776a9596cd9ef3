"""One rendering: templates, escaping of data, heading numbers, errors, overrides."""

from __future__ import annotations

import html
import shutil

import docx
import markdown
import pytest
from conftest import REPO, circular_yaml, run, write
from docx_reading import W, blocks
from jinja2.bccache import bc_magic
from jinja2.sandbox import SandboxedEnvironment

from generator.render.environment import environment
from generator.render.markup import escape_markdown, to_markdown
from generator.render.renderer import Renderer, number_headings
from generator.source.files import CACHE_VARIABLE
from generator.source.loading import load_project

HOSTILE = [
    "# not a heading",
    "{{ 7*7 }} and {% if x %}",
    "<b>bold?</b> <script>alert(1)</script>",
    "1. not a list",
    "- not a bullet",
    "> not a quote",
    "---",
    "a | b | c",
    "[x](javascript:alert(1))",
    "&amp; &lt; &#x41;",
    "`code`",
    "*a* _b_ __c__",
    "text {: .evil }",
    "![image](x.png)",
    "2024. a year",
    "trailing #",
    "back\\slash",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_renders_literally(text):
    converter = markdown.Markdown(extensions=["attr_list", "tables", "md_in_html"])
    rendered = converter.convert(escape_markdown(text))
    assert rendered.startswith("<p>") and rendered.endswith("</p>")
    assert html.unescape(rendered[3:-4]) == text


def test_the_shortcut_for_text_with_nothing_to_escape_misses_no_character():
    """escape_markdown skips its replacements when a search finds nothing they change:
    for every character, the result is the one the replacements alone give."""
    from generator.render.markup import _SPECIAL_ANYWHERE

    def replaced(text: str) -> str:
        return _SPECIAL_ANYWHERE.sub(r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;"))

    for code in range(0x30000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        text = f"工{chr(code)}会"
        assert escape_markdown(text) == replaced(text), hex(code)


def test_inline_subset_is_markdown():
    assert to_markdown("**key** and *stress* and [site](https://example.org/a_b)") == (
        "**key** and *stress* and [site](https://example.org/a_b)"
    )
    assert to_markdown("5 * 3 * 2 = 30") == "5 \\* 3 \\* 2 = 30"
    assert to_markdown("a literal \\*star\\*") == "a literal \\*star\\*"


def test_hostile_yaml_text_reaches_the_document_as_typed(project, tmp_path):
    text = (
        circular_yaml()
        .replace(
            "    text: 驻点干部到位后要迅速深入职工群众。",
            "    text: '{{ 7*7 }} # not a heading <b>x</b> a|b **重点** [链接](https://example.org/x)'",
        )
        .replace("title: 关于驻点干部做到“四个要”的通知", "title: '<script>alert(1)</script> {% raw %}'")
    )
    write(project, "circulars/2024/panzhihua-2024-07.yaml", text)
    result = run(project, "build")
    assert result.exit_code == 0, result.output
    path = project / "build/docx/panzhihua-2024-07.docx"
    found = blocks(path)
    assert ("Title", "<script>alert(1)</script> {% raw %}") in found
    point = next(text for name, text in found if name == "Point")
    assert point == "一是找准问题。{{ 7*7 }} # not a heading <b>x</b> a|b 重点 链接"
    paragraph = next(p for p in docx.Document(str(path)).paragraphs if p.style.name == "Point")
    assert [r.text for r in paragraph.runs if r.bold] == ["一是找准问题。", "重点"]
    link = paragraph._p.find(f"{{{W}}}hyperlink")
    assert paragraph.part.rels[
        link.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
    ].target_ref == ("https://example.org/x")


def test_heading_numbers_follow_the_language():
    text = "## A\n\n### B\n\n### C\n\n#### D\n\n##### E\n\n## F\n\n### G\n"
    assert number_headings(text, "zh") == (
        "## 一、A\n\n### （一）B\n\n### （二）C\n\n#### 1.D\n\n##### （1）E\n\n## 二、F\n\n### （一）G\n"
    )
    assert number_headings(text, "en") == (
        "## 1. A\n\n### 1.1 B\n\n### 1.2 C\n\n#### 1.2.1 D\n\n##### 1.2.1.1 E\n\n## 2. F\n\n### 2.1 G\n"
    )


def test_markdown_carries_classes_for_both_outputs():
    project = load_project(REPO)
    rendered = Renderer(project.root, project.registry).render(project.source("panzhihua-2024-07").circular)
    md = rendered.markdown
    assert md.startswith(
        '攀枝花市总工会文件\n{: .organ-mark }\n\n攀工发〔2024〕7号\n{: .doc-number }\n\n<hr class="red-rule" />\n'
    )
    for cls in (
        ".recipients",
        ".point #requirement-1",  # the site's tracker links to each requirement's anchor
        ".requirement-meta",
        ".closing",
        ".attachment-note",
        ".signature .sealed",
        ".date .sealed",
        ".attachment-label",
        ".cc",
        ".imprint",
    ):
        assert "{: " + cls + " }" in md, cls


def _break_template(project, text: str) -> None:
    write(project, "templates/notice.md.j2", text)


def test_template_errors_name_the_file_and_line(project):
    previous = run(project, "build")
    assert previous.exit_code == 0
    built = project / "build/docx/panzhihua-2024-07.docx"
    before = built.read_bytes()

    _break_template(
        project,
        '{% extends "_document.md.j2" %}\n{% block closing %}\n{{ c.no_such_field }}\n{% endblock %}\n',
    )
    result = run(project, "build")
    assert result.exit_code == 1
    assert (
        f"error: {project / 'templates/notice.md.j2'}:3: template error: 'generator.source.model.Circular object' has no attribute 'no_such_field'"
        in result.stderr
    )
    assert built.read_bytes() == before  # the document built before is untouched

    _break_template(project, "{% if %}\n")
    result = run(project, "build")
    assert result.exit_code == 1
    assert (
        f"{project / 'templates/notice.md.j2'}:1: template error: Expected an expression, got 'end of statement block'"
        in result.stderr
    )

    _break_template(project, "{{ c.__class__ }}\n")
    result = run(project, "build")
    assert result.exit_code == 1
    assert "template error: access to attribute '__class__' of 'Circular' object is unsafe." in result.stderr
    assert "Traceback" not in result.output


def test_a_project_template_overrides_the_builtin_one(project):
    _break_template(
        project,
        '{% extends "_document.md.j2" %}\n{% block closing %}\n此件由本会自定义模板生成。\n{: .closing }\n{% endblock %}\n',
    )
    assert run(project, "build").exit_code == 0
    assert ("Closing", "此件由本会自定义模板生成。") in blocks(project / "build/docx/panzhihua-2024-07.docx")


def test_restyled_reference_document_is_followed(project):
    """A secretary restyles the organ mark in Word and saves it under templates/."""
    (project / "templates").mkdir()
    restyled = project / "templates/gbt9704.docx"
    shutil.copy(REPO / "templates/gbt9704.docx", restyled)
    document = docx.Document(str(restyled))
    document.styles["Organ Mark"].font.color.rgb = docx.shared.RGBColor(0xC0, 0x00, 0x00)
    document.styles["Normal"].font.size = docx.shared.Pt(15)
    document.save(str(restyled))
    assert run(project, "build").exit_code == 0
    built = docx.Document(str(project / "build/docx/panzhihua-2024-07.docx"))
    assert str(built.styles["Organ Mark"].font.color.rgb) == "C00000"
    assert built.styles["Normal"].font.size == docx.shared.Pt(15)
    assert built.paragraphs[0].text == "攀枝花市总工会文件"


def test_built_in_templates_render_in_a_plain_environment_a_projects_own_in_the_sandbox(project):
    """The package's templates are its code and skip the sandbox's checks; as soon as a project
    has a template of its own, every template renders in the sandbox, which refuses to reach
    into Python."""

    def sandboxed(root) -> bool:
        return isinstance(Renderer(root, load_project(root).registry).env, SandboxedEnvironment)

    assert not sandboxed(REPO)
    assert not sandboxed(project)
    write(project, "templates/fonts.conf", "<fontconfig/>")
    shutil.copy(REPO / "templates" / "gbt9704.docx", project / "templates" / "gbt9704.docx")
    assert not sandboxed(project)  # a Word reference document and fonts.conf are not Jinja
    plain = environment(project)
    write(project, "templates/notice.md.j2", "{{ c.__class__.__mro__ }}\n")
    assert sandboxed(project)
    result = run(project, "build", "panzhihua-2024-07")
    assert result.exit_code == 1
    assert "notice.md.j2:1: template error: access to attribute '__class__'" in result.output
    assert not (project / "build" / "docx" / "panzhihua-2024-07.docx").exists()
    # the plain environment made before reads only the package's folder, never the new template
    _source, filename, _uptodate = plain.loader.get_source(plain, "notice.md.j2")
    assert filename == str(REPO / "templates" / "notice.md.j2")


def test_compiled_templates_are_kept_between_runs_and_a_damaged_cache_only_costs_a_compilation(
    tmp_path, monkeypatch
):
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "cache"))
    project = load_project(REPO)
    circular = project.source("panzhihua-2024-07").circular

    def rendered() -> str:  # in a new renderer, as a new process would
        return Renderer(REPO, project.registry).render(circular).markdown

    markdown = rendered()
    compiled = sorted((tmp_path / "cache" / "circulars" / "templates").rglob("*.cache"))
    assert len(compiled) >= 3  # the notice, the document it extends, the macros it imports
    damaged = bc_magic + b"not a checksum, not code"  # Jinja's own header, then garbage
    for path in compiled:
        path.write_bytes(damaged)
    assert rendered() == markdown
    assert all(path.read_bytes() != damaged for path in compiled)  # compiled again, and kept

    monkeypatch.setenv(CACHE_VARIABLE, str(write(tmp_path, "a-file", "not a folder")))
    assert rendered() == markdown


def test_a_changed_template_is_compiled_again_and_environments_keep_their_own_compiled_code(
    project, tmp_path, monkeypatch
):
    monkeypatch.setenv(CACHE_VARIABLE, str(tmp_path / "cache"))
    document = project / "build" / "docx" / "panzhihua-2024-07.docx"
    for closing in ("第一种结束语。", "第二种结束语。"):
        _break_template(
            project,
            f'{{% extends "_document.md.j2" %}}\n{{% block closing %}}\n{closing}\n{{: .closing }}\n{{% endblock %}}\n',
        )
        assert run(project, "build", "panzhihua-2024-07").exit_code == 0
        assert ("Closing", closing) in blocks(document)
    sandboxed = Renderer(project, load_project(project).registry).env
    plain = Renderer(REPO, load_project(REPO).registry).env
    assert isinstance(sandboxed, SandboxedEnvironment) and not isinstance(plain, SandboxedEnvironment)
    assert sandboxed.bytecode_cache.directory != plain.bytecode_cache.directory
