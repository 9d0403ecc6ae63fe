"""Where job results live: JOB_RESULTS_DIR, shared by every app server and worker."""
from __future__ import annotations

import secrets
from pathlib import Path, PurePath

from flask import current_app


def results_dir() -> Path:
    """The results directory (created when missing)."""
    path = Path(current_app.config["JOB_RESULTS_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def scratch_path(suffix: str = "") -> Path:
    """A fresh path in the results directory for a job to write its output into."""
    return results_dir() / f".partial-{secrets.token_hex(16)}{_clean_suffix(suffix)}"


def new_stored_name(filename: str) -> str:
    """A random file name keeping filename's extension (never the user's name itself)."""
    return secrets.token_hex(16) + _clean_suffix(PurePath(filename).suffix)


def stored_path(stored_name: str) -> Path:
    """The path of a stored result."""
    return results_dir() / stored_name


def _clean_suffix(suffix: str) -> str:
    suffix = suffix.lower()
    if suffix and not suffix.startswith("."):
        suffix = "." + suffix
    return suffix if len(suffix) <= 10 and suffix[1:].isalnum() else ""


def delete_result(stored_name: str | None) -> None:
    """Remove a stored result, if it is there."""
    if stored_name:
        stored_path(stored_name).unlink(missing_ok=True)
