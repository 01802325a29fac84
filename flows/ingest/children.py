"""What the pass's forked helper processes (parsing, detection) do when they start.

A helper inherits the pass's open files, the database connections among them. If the pass is
killed (SIGKILL, OOM), a helper that outlives it would keep those sockets open, and with them
the dead pass's database session and whatever it had locked. On Linux a helper therefore asks
the kernel to kill it when the process that forked it dies (``PR_SET_PDEATHSIG``), and exits
at once if that process is already gone; elsewhere it relies on the pool's own shutdown.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Have this process killed when ``parent_pid`` (the process that forked it) dies."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)


def start_helper(parent_pid: int, ignore_interrupts: bool = False) -> None:
    """A pool initializer: :func:`die_with_parent`, and Ctrl-C left to the parent."""
    die_with_parent(parent_pid)
    if ignore_interrupts:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
