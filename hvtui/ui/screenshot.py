"""Where the palette's Screenshot goes, and how it is written: privately, in a folder that exists.

Textual saves into ``~/Downloads`` and fails when it does not exist, which is the usual case on
a server; the screen may show host names, addresses and notes, so the file is readable by its
owner only. The place is the user's download folder where there is one (XDG's, as a desktop
sets it), else the current directory (where the user started hvtui, and will look first), else
hvtui's own folder under ``$XDG_STATE_HOME``; the notification says which and why.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from platformdirs import user_downloads_path


def _writable(folder: Path) -> bool:
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


def screenshot_folder(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> tuple[Path, str]:
    """The folder a screenshot goes to, and why that one (for the notification)."""
    env = os.environ if environ is None else environ
    downloads = user_downloads_path()
    if _writable(downloads):
        return downloads, "your download folder"
    here = cwd or Path.cwd()
    missing = f"{downloads} does not exist" if not downloads.exists() else f"{downloads} is not writable"
    if _writable(here):
        return here, f"the current directory: {missing}"
    state = Path(env.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "hvtui"
    state.mkdir(parents=True, exist_ok=True, mode=0o700)
    return state, f"hvtui's state folder: {missing} and the current directory is not writable"


def screenshot_name(now: datetime, time_format: str | None = None) -> str:
    """ "hvtui-2025-01-31T09_15_02.svg": sorts by time, no character a shell or Windows minds."""
    return f"hvtui-{now.strftime(time_format or '%Y-%m-%dT%H_%M_%S')}.svg"


def save_private(folder: Path, name: str, text: str) -> Path:
    """Write a new file readable by its owner only (0600 whatever the umask; never overwrites)."""
    path = folder / name
    stem, suffix = path.stem, path.suffix
    for attempt in range(1, 100):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            path = folder / f"{stem}-{attempt}{suffix}"
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        return path
    raise FileExistsError(f"{folder / name} and its numbered variants exist")
