"""The one-pass reader of the Markdown our templates write gives, character for
character, the HTML Python-Markdown gives — or hands the text back to it.

Checked on every shipped example and numbered copy (which must all take the
one pass: that is what makes writing fast), on hostile text, and on thousands
of generated texts mixing what templates write with what they never do.
"""

from __future__ import annotations

import random

import pytest
from conftest import REPO
from test_rendering import HOSTILE

from generator.docx.template_markdown import to_html
from generator.docx.writer import python_markdown_html
from generator.render.markup import escape_markdown
from generator.render.renderer import CopyMarks, Renderer
from generator.source.loading import load_project


def _agrees(text: str) -> bool:
    """Whether the one pass took the text (and then gave Python-Markdown's HTML)."""
    quick = to_html(text)
    if quick is None:
        return False
    assert quick == python_markdown_html(text), text
    return True


def test_every_example_and_copy_takes_the_one_pass_with_python_markdowns_html():
    project = load_project(REPO)
    renderer = Renderer(project.root, project.registry)
    for circular in project.circulars:
        for copy in (None, CopyMarks("000042", "示例单位 Example Recipient")):
            markdown = renderer.render(circular, copy).markdown
            assert _agrees(markdown), f"{circular.id} left the one pass"


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_reads_as_python_markdown_reads_it(text):
    for markdown in (escape_markdown(text), f"# {escape_markdown(text)}", f"a\n{text}\n{{: .b }}", text):
        _agrees(markdown)


# Pieces of generated texts: what templates write, and what they never do.
_ESCAPES = ["\\*", "\\[", "\\]", "\\>", "\\.", "\\+", "\\#"]
_INLINE = [
    "工会",
    "职工",
    "Union",
    "2024",
    "。",
    "，",
    " ",
    " ",
    "a",
    "（责任单位）",
    '"quoted"',
    "'s",
    "**",
    "*",
    "_",
    *_ESCAPES,
    "\\-",
    "\\\\",
    "\\a",
    "\\",
    "[附件.csv](attachments/a_b.csv)",
    "[x](a b)",
    "[x]",
    "](y)",
    "[",
    '<span class="right">',
    "</span>",
    "<br />",
    "<b>",
    "<",
    ">",
    "&",
    "&amp;",
    "&#x41;",
    "&nbsp",
    "&#12288",
    "#",
    "{",
    "}",
    "{: .x }",
    "!",
    "`",
    "  \n",
    "\n",
    "\n- ",
    "\n1. ",
    "\n> ",
    "\n    ",
    "\n===",
    "\n---",
]
_ATTRIBUTE_LINES = [
    "{: .point }",
    "{: .point #requirement-1 }",
    "{: #x .a .b }",
    "{:.c}",
    "{ .d }",
    "{: .a-b .c_d }",
    "{: key=v }",
]


# What templates write in a line: words, strong, escapes, links, <span>, <br />.
_TEMPLATE_INLINE = [
    *_INLINE[:12],
    "**要求**",
    *_ESCAPES,
    "[附件.csv](attachments/a_b.csv)",
    '<span class="right">2024年4月7日印发</span>',
    "<br />",
    "&#12288;",  # the spaces that start a line of a paragraph (render/markup.py)
    "&nbsp;",
]


def _inline(rng: random.Random, most: int = 12) -> str:
    pieces = _TEMPLATE_INLINE if rng.random() < 0.8 else _INLINE
    text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, most))).strip()
    return text or "字"


def _cells(rng: random.Random, count: int) -> list[str]:
    return [_inline(rng, 3).replace("\n", " ") for _ in range(count)]


def _block(rng: random.Random) -> str:
    kind = rng.randrange(9)
    if kind == 0:
        return f"{'#' * rng.randint(1, 4)} {_inline(rng, 4)}" + rng.choice(
            ["", " {: .title }", " {: .attachment-title }", " #"]
        )
    if kind == 1:
        return rng.choice(
            ['<hr class="red-rule" />', '<hr class="letterhead-rule" />', "<hr>", "<hr class=red />"]
        )
    if kind == 2:
        width = rng.randint(1, 4)
        rows = [_cells(rng, width) for _ in range(rng.randint(1, 3))]
        lines = ["| " + " | ".join(row) + " |" for row in rows]
        lines.insert(
            1, "| " + " | ".join(rng.choice(["---", "---", ":---:", "--"]) for _ in range(width)) + " |"
        )
        table = "\n".join(lines)
        return f'<div class="reporting" markdown="1">\n\n{table}\n\n</div>' if rng.random() < 0.7 else table
    if kind == 3:
        return _html_table(rng)
    if kind == 4 and rng.random() < 0.5:
        inside = "\n".join(_inline(rng) for _ in range(rng.randint(1, 2)))
        return f'<div class="targets" markdown="1">{rng.choice(["", chr(10)])}\n{inside}{rng.choice(["", chr(10)])}\n</div>'
    if kind == 4:
        return rng.choice(
            [
                "- item",
                "1. item",
                "> quote",
                "    code",
                "text\n===",
                "[ref]: http://x",
                "* * *",
                "<p>raw</p>",
            ]
        )
    lines = [_inline(rng) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.6:
        lines.append(rng.choice(_ATTRIBUTE_LINES))
    return "\n".join(lines)


def _html_table(rng: random.Random) -> str:
    def attributes() -> str:
        found = [
            ' markdown="span"',
            *rng.sample([' class="align-center"', ' colspan="2"', ' rowspan="2"'], rng.randint(0, 2)),
        ]
        rng.shuffle(found)
        return "".join(found)

    rows = []
    for _ in range(rng.randint(1, 3)):
        cells = "".join(f"<td{attributes()}>{cell}</td>" for cell in _cells(rng, rng.randint(1, 3)))
        style = rng.choice(["", ' style="height: 12mm"'])
        rows.append(
            f'<tr markdown="1"{style}>{cells}</tr>'
            if rng.random() < 0.5
            else f'<tr{style} markdown="1">{cells}</tr>'
        )
    head = f'<thead markdown="1">\n<tr markdown="1"><th markdown="span">{_cells(rng, 1)[0]}</th></tr>\n</thead>\n'
    colgroup = rng.choice(["", '<colgroup><col style="width: 30%"><col></colgroup>\n'])
    table = (
        f'<table class="circular-table" markdown="1">\n{colgroup}{head if rng.random() < 0.5 else ""}<tbody markdown="1">\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>"
    )
    return f'<div class="table-block" markdown="1">\n\n<div class="table-scroll" markdown="1">\n{table}\n</div>\n\n</div>'


@pytest.mark.parametrize(
    "text",
    [
        "**a\nb**",
        "**a** b **c**",
        "a **b\\*c** d",
        "[**x**](a.csv) **[y](b.csv)**",
        "line\n</div>",
        '<div class="a" markdown="1">\ntext\n</div>\nafter',
        '<div class="a" markdown="1">\n\ntext\n\n</div>\n\n</div>',
        "# title\ntext",
        "text\n# heading",
        '<hr class="red-rule" />\ntext',
        "a\n{: .x }\n{: .y }",
        "| a |\n| --- |\n| b |\n| c | d |",
        "**",
        "** a **",
        "a\\",
    ],
)
def test_edges_read_as_python_markdown_reads_them(text):
    _agrees(text)


def test_generated_texts_read_as_python_markdown_reads_them():
    rng = random.Random(9704)
    taken = 0
    for _ in range(3000):
        blocks = [_block(rng) for _ in range(rng.randint(1, 5))]
        text = "".join(block + rng.choice(["\n\n", "\n\n", "\n\n", "\n", "\n\n\n"]) for block in blocks)
        taken += _agrees(text)
    assert taken > 300  # enough of them take the one pass for the comparison to mean something
