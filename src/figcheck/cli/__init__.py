"""figcheck's command line: a thin typer layer over `figcheck.api`."""

from __future__ import annotations

from figcheck.cli import eval_cmd, extract_cmd  # noqa: F401  (registers the commands)
from figcheck.cli import check_cmd  # noqa: F401  (registers the command)
from figcheck.cli import rules_cmd  # noqa: F401  (registers the command)
from figcheck.cli._app import app


def main() -> None:
    """Entry point of the ``figcheck`` console script."""
    app()


__all__ = ["app", "main"]
