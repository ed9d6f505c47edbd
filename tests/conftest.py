"""Shared fixtures: paths to the project's own test articles and to the seed corpus when present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
ARTICLES = FIXTURES / "articles"
EXAMPLES = ROOT / "examples"
GOLD = ROOT / "tests" / "gold"
SHARED_CORPUS = Path(os.environ.get("FIGCHECK_SHARED_CORPUS", ROOT.parent / "shared" / "corpus"))
SEEDS = SHARED_CORPUS / "seeds"


@pytest.fixture
def seeds() -> Path:
    """The five seed articles; the test is skipped where ../shared/corpus is absent."""
    if not (SEEDS / "manifest.csv").is_file():
        pytest.skip(f"seed corpus not found at {SEEDS} (CI has it beside the repository)")
    return SEEDS


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own figure cache folder, so no test writes to the user's cache."""
    monkeypatch.setenv("FIGCHECK_CACHE_DIR", str(tmp_path_factory.mktemp("figcheck-cache")))
