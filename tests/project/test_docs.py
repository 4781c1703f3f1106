"""The documentation keeps up with the code: every variable the settings read has its row in the
configuration table, and every link between the pages lands on a file and a heading that exist."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", ROOT / "web" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_every_variable_the_settings_read_is_in_the_configuration_table():
    settings = (ROOT / "src" / "project" / "settings.py").read_text()
    read = set(re.findall(r'env_[a-z]+\(\s*"([A-Z][A-Z0-9_]+)"', settings))
    table = (ROOT / "docs" / "configuration.md").read_text()
    documented = set(re.findall(r"^\|[^|]*", table, re.MULTILINE))
    named = {name for row in documented for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row)}
    assert len(read) > 90
    assert sorted(read - named) == []


def _anchor(heading: str) -> str:
    """GitHub's id of a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.MULTILINE | re.DOTALL)
    return {_anchor(h) for h in re.findall(r"^#{1,6}\s+(.+?)\s*$", text, re.MULTILINE)}


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_links_between_pages_land_on_a_file_and_a_heading(page):
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
        if re.match(r"[a-z]+:", target):
            continue  # another site
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        missing = not file.exists()
        if missing or (anchor and file.suffix == ".md" and anchor not in _anchors(file)):
            broken.append(target)
    assert broken == []
