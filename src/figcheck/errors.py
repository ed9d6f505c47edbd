"""Exceptions that map to exit codes; everything else a user can cause is a `Problem`."""

from __future__ import annotations


class FigcheckError(Exception):
    """Base class for errors figcheck reports to the user as one line, without a traceback."""

    exit_code = 2


class UsageError(FigcheckError):
    """Bad arguments: a path that does not exist, an unknown format, a bad option value."""


class RuleError(FigcheckError):
    """A rule or metric file that cannot be used. The message names the file and the key.

    Args:
        path: the rule file.
        key: the key at fault (dotted for nested keys), or ``""`` for the whole file.
        message: what is wrong.
        hint: what to do about it.
    """

    def __init__(self, path: str, key: str, message: str, hint: str = "") -> None:
        self.path = path
        self.key = key
        self.message = message
        self.hint = hint
        where = f"{path}: key '{key}'" if key else path
        tail = f"; {hint}" if hint else ""
        super().__init__(f"{where}: {message}{tail}")
