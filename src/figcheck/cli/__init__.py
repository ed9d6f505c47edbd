"""figcheck's command line: a thin typer layer over `figcheck.api`."""

from __future__ import annotations

from figcheck.cli import (  # noqa: F401  (each module registers its commands)
    baseline_cmd,
    check_cmd,
    eval_cmd,
    extract_cmd,
    model_cmd,
    report_cmd,
    rules_cmd,
)
from figcheck.cli._app import app


def main() -> None:
    """Entry point of the ``figcheck`` console script."""
    app()


__all__ = ["app", "main"]
