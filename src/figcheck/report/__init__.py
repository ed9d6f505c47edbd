"""Findings -> reports. `RENDERERS` is the whole list of formats; `render` picks one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from figcheck.errors import UsageError
from figcheck.report import github, html, json_, junit, markdown, sarif, text

#: Every report format, by the name ``--format`` takes. Each is ``render(findings, figures, **options) -> str``.
RENDERERS: dict[str, Callable[..., str]] = {
    "text": text.render,
    "json": json_.render,
    "markdown": markdown.render,
    "html": html.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "github": github.render,
}

#: Formats that show a baseline's accepted findings as such (the others get only the new ones).
BASELINE_AWARE: frozenset[str] = frozenset({"markdown", "html", "sarif", "junit", "github"})


def render(fmt: str, findings: pd.DataFrame, figures: pd.DataFrame, **options: Any) -> str:
    """Render findings (with the figures they name) in one of the `RENDERERS` formats.

    Args:
        fmt: a key of `RENDERERS`.
        findings: the findings DataFrame (`figcheck.check`).
        figures: the figures DataFrame the findings were computed from (for quotes and sources).
        **options: passed to the renderer.

    Raises:
        UsageError: an unknown format.
    """
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise UsageError(f"--format {fmt!r} is not one of {', '.join(RENDERERS)}") from None
    return renderer(findings, figures, **options)


__all__ = ["BASELINE_AWARE", "RENDERERS", "render"]
