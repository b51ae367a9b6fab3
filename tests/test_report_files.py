"""`flask report monthly` writes the month as XLSX and CSV; LibreOffice reads the same figures."""

import csv
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import time_machine

from app.ops.report_cli import reports_root
from app.reports import layout
from tests.report_month import NOVEMBER, READ_AT, build_november

SOFFICE = os.environ.get("SOFFICE", "soffice")
FIGURE_KEY = re.compile(r"^[a-z_0-9]+\.[A-Za-z_0-9.]+$")


@pytest.fixture(autouse=True)
def read_in_december():
    with time_machine.travel(READ_AT, tick=False):
        yield


@pytest.fixture
def november(db):
    return build_november(db)


def _written(runner, *args):
    result = runner.invoke(args=["report", "monthly", "--month", "2026-11", *args])
    assert result.exit_code == 0, result.output
    return [Path(line) for line in result.output.split()]


def _flat(report):
    return {row.key: row.value for section in report.sections for row in section.rows}


def test_the_command_writes_one_file_per_format_under_the_communes_folder(
    app, runner, db, november
):
    paths = _written(runner, "--commune", "PHULAM")
    root = Path(reports_root(app)) / "PHULAM"
    assert paths == [root / "2026-11.xlsx", root / "2026-11.csv"]
    lines = list(csv.DictReader(paths[1].read_text(encoding="utf-8").splitlines()))
    by_key = {line["Mã chỉ số"]: line for line in lines}
    assert by_key["contacts.sms"]["2026-11"] == "5"
    assert by_key["contacts.sms"]["2026-10"] == "1"
    assert by_key["waiting.median_days"]["2026-11"] == "4.0"
    assert by_key["procedures.asked.KHAISINH"]["2026-11"] == "2"
    # Nothing that names a person: no phone number, no resident's words.
    assert "+849" not in paths[1].read_text(encoding="utf-8")


def test_without_commune_every_commune_gets_its_file(runner, db, november):
    paths = _written(runner, "--format", "csv")
    assert [path.parent.name for path in paths] == ["PHULAM", "KHAC"]


def test_a_copy_for_publication_hides_counts_under_five_and_what_rests_on_them(
    runner, db, november
):
    [path] = _written(runner, "--commune", "PHULAM", "--format", "csv", "--publish")
    assert path.name == "2026-11-public.csv"
    by_key = {line["Mã chỉ số"]: line for line in csv.DictReader(path.open(encoding="utf-8"))}
    assert by_key["contacts.sms"]["2026-11"] == "5"  # five is shown
    assert by_key["contacts.voice"]["2026-11"] == "<5"
    assert by_key["waiting.median_days"]["2026-11"] == "<5"  # rests on 3 visits
    assert by_key["waiting.share_within_7_days"]["2026-11"] == "40"  # rests on 6 asked
    assert by_key["visits.requested"]["2026-11"] == "6"


@pytest.mark.parametrize("month", ["2026-13", "11-2026", "nov"])
def test_a_bad_month_is_refused_with_a_short_help_line(runner, month):
    result = runner.invoke(args=["report", "monthly", "--month", month])
    assert result.exit_code == 2
    assert "YYYY-MM" in result.output


@pytest.mark.skipif(not shutil.which(SOFFICE), reason="LibreOffice (soffice) is not installed")
def test_libreoffice_reads_every_sheet_of_the_xlsx_with_the_figures_of_the_page(
    runner, db, november, tmp_path
):
    [xlsx] = _written(runner, "--commune", "PHULAM", "--format", "xlsx")
    # Field 12 = -1: one CSV per sheet (LibreOffice 7.2+), UTF-8 (76), comma-separated (44).
    options = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            options,
            "--outdir",
            str(tmp_path / "out"),
            str(xlsx),
        ],
        check=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    read = {}
    for sheet in sorted((tmp_path / "out").glob("*.csv")):
        for line in csv.reader(sheet.open(encoding="utf-8")):
            if len(line) >= 3 and FIGURE_KEY.match(line[0]):
                read[line[0]] = line[2]
    page = _flat(layout.monthly(db, november, "2026-11"))
    assert len(list((tmp_path / "out").glob("*.csv"))) == len(layout.SECTIONS)
    assert read == {key: _text(value) for key, value in page.items()}
    assert read["contacts.total"] == str(NOVEMBER["contacts.total"])


def _text(value):
    """How LibreOffice writes a number back to CSV: 4.0 as 4, 72.5 as 72.5."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def test_the_worker_writes_last_months_files_once_from_the_first(app, db, november):
    from app.ops import scheduler

    with app.test_request_context():
        first = scheduler.run_due_jobs(db)
        again = scheduler.run_due_jobs(db)
    root = Path(reports_root(app))
    assert first["monthly_report"] == [
        str(root / "PHULAM" / "2026-11.xlsx"),
        str(root / "PHULAM" / "2026-11.csv"),
    ]
    assert first["monthly_report:KHAC"] == [
        str(root / "KHAC" / "2026-11.xlsx"),
        str(root / "KHAC" / "2026-11.csv"),
    ]
    assert again["monthly_report"] is None


def test_two_workers_writing_the_same_month_at_once_both_finish_and_leave_no_part_file(
    app, db, november
):
    # Every outbox worker runs the scheduler, so two can reach the 1st of a month together.
    from concurrent.futures import ThreadPoolExecutor

    from app.reports import files

    report = layout.monthly(db, november, "2026-11")
    root = Path(reports_root(app))
    with ThreadPoolExecutor(max_workers=4) as pool:
        written = list(pool.map(lambda _: files.write(report, root, "xlsx"), range(8)))
    assert set(written) == {root / "PHULAM" / "2026-11.xlsx"}
    assert [p.name for p in (root / "PHULAM").iterdir()] == ["2026-11.xlsx"]
