"""The documentation builds with no broken link, and the site it builds reaches no other host."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Attributes through which a page would fetch something when it is opened.
FETCHING = re.compile(r"""<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)=["']([^"']+)""")
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)""")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return out


def test_every_page_of_the_docs_is_built(site):
    pages = {p.stem for p in (ROOT / "docs").glob("*.md")}
    built = {p.parent.name for p in site.glob("*/index.html")} | {"index"}
    assert pages <= built


def test_the_built_site_fetches_nothing_from_another_host(site):
    external = []
    for page in site.rglob("*"):
        if page.suffix not in {".html", ".css", ".js"}:
            continue
        text = page.read_text(errors="replace")
        found = FETCHING.findall(text) if page.suffix == ".html" else []
        found += CSS_URL.findall(text) if page.suffix != ".js" else []
        external += [f"{page.name}: {url}" for url in found if re.match(r"(https?:)?//", url)]
    assert external == []


def test_the_readme_is_short_and_its_links_lead_to_pages_that_exist():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) < 150
    targets = re.findall(r"\]\(((?!https?:)[^)#]+)", readme)
    assert targets
    assert [t for t in targets if not (ROOT / t).exists()] == []


# A path in the repository, as the pages write it: `app/infra/clock.py`, `deploy/`.
TOP_FOLDERS = "app|bench|bin|db|deploy|open311|simulator|sms|staff|static|templates|tests|voice"
REPO_PATH = re.compile(rf"`((?:{TOP_FOLDERS})/[\w./-]*)`")


def test_every_file_the_docs_name_is_in_the_repository():
    ignored = [
        line.strip().rstrip("/")
        for line in (ROOT / ".gitignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    missing = []
    for page in sorted((ROOT / "docs").glob("*.md")):
        for path in REPO_PATH.findall(page.read_text()):
            if not (ROOT / path).exists() and not path.startswith(tuple(ignored)):
                missing.append(f"{page.name}: {path}")
    assert missing == []
