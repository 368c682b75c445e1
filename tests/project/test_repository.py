"""The repository stands alone: what a clone holds is all it refers to."""

import os
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Spelt in two parts so that this file does not hold what it looks for.
OUTSIDE = ("../" + "shared", "/work/" + "shared")


SKIPPED_DIRS = {".git", ".venv", "var", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache"}


def repository_text_files() -> list[Path]:
    files = []
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = [name for name in dirs if name not in SKIPPED_DIRS]
        for name in names:
            path = Path(folder) / name
            try:
                path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue  # images, fonts
            files.append(path)
    return files


def test_no_file_refers_to_documents_outside_the_repository():
    files = repository_text_files()
    assert len(files) > 100
    offenders = [str(path.relative_to(ROOT)) for path in files if any(o in path.read_text("utf-8") for o in OUTSIDE)]
    assert offenders == []


def test_the_domain_and_the_conventions_are_documented_in_the_repository():
    domain = (ROOT / "docs" / "domain.md").read_text("utf-8")
    for term in (
        "分层昼访",
        "夜访",
        "专题家访",
        "群众说事厅",
        "回音卡",
        "社区公安服务队",
        "结对联建",
        "销号",
        "回访考核",
    ):
        assert term in domain, term
    for identifier in ("Visit.Kind.NIGHT", "Matter.State", "EchoCard", "Category.PUBLIC_SECURITY", "HouseholdLink"):
        assert identifier in domain, identifier
    conventions = (ROOT / "docs" / "conventions.md").read_text("utf-8")
    for topic in ("services.py", "selectors.py", "ALLOWED_TRANSITIONS", "core/scopes.py", "Http404"):
        assert topic in conventions, topic


def test_every_relative_link_in_the_readme_and_the_docs_points_at_a_file_in_the_repository():
    documents = [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    links = 0
    for document in documents:
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", document.read_text("utf-8")):
            if re.match(r"[a-z]+://", target):
                continue
            links += 1
            resolved = (document.parent / target).resolve()
            assert resolved.is_relative_to(ROOT) and resolved.exists(), f"{document.name}: {target}"
    assert links >= 2  # the README points at docs/domain.md and docs/conventions.md


def test_the_test_run_prints_its_ten_slowest_tests():
    """So a slow test in CI (the demo loader once sat 17 minutes on PostgreSQL) shows in the log."""
    options = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["pytest"]["ini_options"]
    assert "--durations=10" in options["addopts"].split()
