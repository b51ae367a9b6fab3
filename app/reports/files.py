"""The report as files: an XLSX with one sheet per section, and a CSV, under instance/reports.

Neither carries personal data: only counts, medians and shares. A file marked for publication
hides counts under 5 (layout.SUPPRESSED), so no household can be picked out.
"""

import csv
import io
import os
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from app.reports import layout

FORMATS = ("xlsx", "csv")
HEADER = ("Mã chỉ số", "Chỉ số")


def file_name(month, fmt, published=False):
    """The file name of a month's report: 2026-11.xlsx, or 2026-11-public.xlsx."""
    return f"{month}{'-public' if published else ''}.{fmt}"


def folder(root, commune):
    """The folder of a commune's reports under ROOT (instance/reports)."""
    return Path(root) / commune.code


def csv_text(report):
    """The report as CSV text: one line per figure, this month and the month before."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["commune", "section", *HEADER, report.month, report.previous_month],
    )
    for section in report.sections:
        for row in section.rows:
            writer.writerow(
                [
                    report.commune.code,
                    section.title_vi(),
                    row.key,
                    row.label_vi(),
                    _cell(row.value),
                    _cell(row.previous),
                ]
            )
    return out.getvalue()


def _cell(value):
    return "" if value is None else value


def workbook(report):
    """The report as an openpyxl Workbook, one sheet per section."""
    book = Workbook()
    book.remove(book.active)
    for section in report.sections:
        sheet = book.create_sheet(section.title_vi()[:31])
        sheet.append([report.commune.name, report.month])
        sheet.append([*HEADER, report.month, report.previous_month])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in section.rows:
            sheet.append([row.key, row.label_vi(), _cell(row.value), _cell(row.previous)])
        sheet.append([])
        sheet.append([section.paragraph])
        sheet.column_dimensions["A"].width = 34
        sheet.column_dimensions["B"].width = 40
    return book


def write(report, root, fmt="xlsx"):
    """Write REPORT as FMT under ROOT/<commune code>/; return the path."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    target = folder(root, report.commune)
    target.mkdir(parents=True, exist_ok=True)
    path = target / file_name(report.month, fmt, report.published)
    # Written beside under a name of its own and renamed, so a download never reads half a
    # file and two workers writing the same month at once never rename each other's file.
    handle, name = tempfile.mkstemp(dir=target, prefix=path.name + ".", suffix=".part")
    os.close(handle)
    partial = Path(name)
    try:
        if fmt == "csv":
            partial.write_text(csv_text(report), encoding="utf-8")
        else:
            workbook(report).save(partial)
        partial.chmod(0o644)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def listed(root, commune):
    """The report files of COMMUNE under ROOT, newest month first."""
    target = folder(root, commune)
    if not target.is_dir():
        return []
    found = [p for p in target.iterdir() if p.suffix.lstrip(".") in FORMATS]
    return sorted(found, key=lambda p: p.name, reverse=True)


def write_month(db, commune, month, root, formats=FORMATS, *, published=False):
    """Compute COMMUNE's report for MONTH once and write it in each of FORMATS; return paths."""
    report = layout.monthly(db, commune, month, published=published)
    return [write(report, root, fmt) for fmt in formats]
