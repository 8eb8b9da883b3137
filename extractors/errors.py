"""The base of every presswatch error: the one shared type each layer but `stance/` may import.

It lives here, not in `flows/errors.py`, because of the layout contract (DESIGN.md): `extractors/`, `warehouse/` and
`reports/` may import small shared types but never `flows/`, and Python's `except` ignores ABC registration, so
their errors can derive from one base only if that base sits below them all. `flows/errors.py` re-exports it and
documents the whole tree; import it from there in `flows/`.
"""

from __future__ import annotations


class PresswatchError(Exception):
    """Base of every error the CLI turns into one clear line and a non-zero exit (`flows.cli.main` catches it once)."""

    exit_code = 1
