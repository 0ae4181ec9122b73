"""Where the measuring commands print their tables."""

from __future__ import annotations

from rich.console import Console

# rich falls back to 80 columns when stdout is not a terminal (a pipe, a log
# file, CI), which folds a wide figures table into unreadable slivers.
PIPED_WIDTH = 160


def table_console() -> Console:
    """stdout at the terminal's width, or ``PIPED_WIDTH`` columns when piped."""
    console = Console()
    return console if console.is_terminal else Console(width=PIPED_WIDTH)
