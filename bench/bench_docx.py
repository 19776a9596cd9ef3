"""Benchmark: one circular to .docx with our writer, with docxtpl and with pandoc.

    python bench/bench_docx.py [--rounds 30] [--circular panzhihua-2024-07]

Prints milliseconds per document for each, side by side, and the ratios. All
three produce the same content (the circular's text, its requirements, table,
signature and closing block) from one process on one core, except pandoc,
which users run as one process per document (`pandoc in.md -o out.docx`).
Our writer loads the reference document once per process, as `circulars
build` does; docxtpl loads its template for each document, as it must.
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.docx.writer import DocxWriter, markdown_to_html  # noqa: E402
from generator.render.numbering import format_date, ordinal  # noqa: E402
from generator.render.renderer import Renderer  # noqa: E402
from generator.source.document_numbers import document_number  # noqa: E402
from generator.source.inline_markup import paragraphs, to_plain  # noqa: E402
from generator.source.loading import load_project  # noqa: E402


def compare(contenders: dict[str, object], rounds: int, per_round: int) -> dict[str, float]:
    """Median milliseconds per call. Contenders take turns, round after round, so
    a slower or faster spell of a shared machine falls on all of them alike."""
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for work in contenders.values():
        work()  # warm-up: imports, caches, the reference document
    for _ in range(rounds):
        for name, work in contenders.items():
            started = time.perf_counter()
            for _ in range(per_round):
                work()
            samples[name].append((time.perf_counter() - started) * 1000 / per_round)
    return {name: statistics.median(values) for name, values in samples.items()}


def docxtpl_template(path: Path) -> None:
    """A Word template with Jinja tags holding the same blocks as our template."""
    import docx

    document = docx.Document(str(REPO / "templates" / "gbt9704.docx"))
    body = document.element.body
    for child in list(body):
        if child.tag.endswith("}p") or child.tag.endswith("}tbl"):
            body.remove(child)
    add = document.add_paragraph
    add("{{ organ }}文件", style="Organ Mark")
    add("{{ number }}", style="Doc Number")
    add("", style="Red Rule")
    add("{{ title }}", style="Title")
    add("{{ recipients }}：", style="Recipients")
    add("{%p for p in background %}")
    add("{{ p }}")
    add("{%p endfor %}")
    add("一、工作要求", style="Heading 1")
    add("{%p for r in requirements %}")
    add("{{ r.lead }}{{ r.text }}", style="Point")
    add("{{ r.meta }}", style="Requirement Meta")
    add("{%p endfor %}")
    table = document.add_table(rows=4, cols=4, style="Circular Table")
    rows = [
        ["指标", "目标值", "完成时限", "责任单位"],
        ["{%tr for t in targets %}", "", "", ""],
        ["{{ t.metric }}", "{{ t.value }}", "{{ t.deadline }}", "{{ t.responsible }}"],
        ["{%tr endfor %}", "", "", ""],
    ]
    for row, texts in zip(table.rows, rows, strict=True):
        for cell, text in zip(row.cells, texts, strict=True):
            cell.paragraphs[0].text = text
    add("{{ closing }}", style="Closing")
    add("附件：{{ attachment }}", style="Attachment Note")
    add("{{ organ }}", style="Signature Sealed")
    add("{{ date }}", style="Date Sealed")
    add("抄送：{{ cc }}。", style="CC")
    add("{{ organ }}\t{{ date }}印发", style="Imprint")
    document.save(str(path))


def docxtpl_context(project, circular) -> dict:
    registry, lang = project.registry, circular.language

    def names(items):
        return "、".join(registry.recipient_label(r, lang) for r in items)

    return {
        "organ": registry.name(circular.lead_issuer, lang),
        "number": document_number(circular, registry),
        "title": to_plain(circular.title),
        "recipients": names(circular.to),
        "background": [to_plain(p) for p in paragraphs(circular.background)],
        "requirements": [
            {
                "lead": f"{ordinal(i, lang)}{to_plain(r.key)}。",
                "text": "".join(to_plain(p) for p in paragraphs(r.text)),
                "meta": f"（责任单位：{names(r.responsible)}；完成时限：{format_date(r.deadline, lang)}）",
            }
            for i, r in enumerate(circular.requirements, 1)
        ],
        "targets": [
            {
                "metric": to_plain(t.metric),
                "value": to_plain(t.value),
                "deadline": format_date(r.deadline, lang),
                "responsible": names(r.responsible),
            }
            for r in circular.requirements
            for t in r.targets
        ],
        "closing": "特此通知。",
        "attachment": to_plain(circular.attachments[0].title) if circular.attachments else "",
        "date": format_date(circular.date, lang),
        "cc": names(circular.cc),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="rounds of turns")
    parser.add_argument("--per-round", type=int, default=10, help="documents per contender per round")
    parser.add_argument("--pandoc-per-round", type=int, default=5, help="pandoc runs per round (3 rounds)")
    parser.add_argument("--circular", default="panzhihua-2024-07")
    args = parser.parse_args()

    project = load_project(REPO)
    circular = project.source(args.circular).circular
    renderer = Renderer(project.root, project.registry)
    writer = DocxWriter(project.root, project.registry)
    rendered = renderer.render(circular)
    print(
        f"Circular {circular.id}: {len(rendered.markdown)} characters of Markdown, "
        f"{len(writer.write(rendered).data)} bytes of DOCX"
    )
    contenders = {
        "circulars: Markdown → DOCX (the writer)": lambda: writer.write(rendered),
        "circulars: model → Jinja → Markdown → DOCX": lambda: writer.write(renderer.render(circular)),
        "  of which Markdown → HTML (Python-Markdown)": lambda: markdown_to_html(rendered.markdown),
    }
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        try:
            from docxtpl import DocxTemplate
        except ImportError:
            print("docxtpl is not installed (pip install docxtpl): skipped")
        else:
            template = scratch / "template.docx"
            docxtpl_template(template)
            context = docxtpl_context(project, circular)

            def with_docxtpl():
                document = DocxTemplate(str(template))  # a template renders once
                document.render(context)
                document.save(io.BytesIO())

            contenders["docxtpl: Word template with Jinja tags → DOCX"] = with_docxtpl
        results = compare(contenders, args.rounds, args.per_round)
        if shutil.which("pandoc"):
            source = scratch / "in.md"
            source.write_text(rendered.markdown, encoding="utf-8")
            reference = REPO / "templates" / "gbt9704.docx"
            command = ["pandoc", str(source), f"--reference-doc={reference}", "-o", str(scratch / "out.docx")]
            name = "pandoc: Markdown → DOCX, a process each"
            results.update(
                compare({name: lambda: subprocess.run(command, check=True)}, 3, args.pandoc_per_round)
            )
        else:
            print("pandoc is not installed: skipped")
    print(f"Per document, one core (median of {args.rounds} rounds):")
    for name, value in results.items():
        print(f"  {name:<48} {value:8.2f} ms")
    writer_ms = results["circulars: Markdown → DOCX (the writer)"]
    full_ms = results["circulars: model → Jinja → Markdown → DOCX"]
    markdown_only = results["  of which Markdown → HTML (Python-Markdown)"]
    results = {name.split(":")[0]: value for name, value in results.items()}
    print()
    print(f"  Markdown conversion is {markdown_only / writer_ms:.0%} of the writer's time")
    for name in ("docxtpl", "pandoc"):
        if name in results:
            print(
                f"  the writer is {results[name] / writer_ms:5.1f}x faster than {name}"
                f" ({results[name] / full_ms:.1f}x counting the Jinja rendering too)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
