"""One writer per output folder: ``OUT/.govreport.lock``.

The lock is an exclusive ``flock`` on the file (released by the kernel when its holder dies, however
it dies), and the file says who holds it: pid, host and start time. A second run into the same
folder fails with :class:`OutputLockedError` naming the holder. A lock file left by a process that
died is taken over with a warning. On a file system without ``flock`` across hosts (some NFS
setups), a lock written by another host whose holder cannot be checked is respected.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import socket
import time
from pathlib import Path

logger = logging.getLogger(__name__)

LOCK_NAME = ".govreport.lock"


class OutputLockedError(RuntimeError):
    """Another process is writing to the output folder."""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _describe(holder: dict[str, object]) -> str:
    started = holder.get("started")
    when = (
        time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(started))) if isinstance(started, int | float) else "?"
    )
    return f"govreport pid {holder.get('pid', '?')} on host {holder.get('host', '?')} (started {when})"


class OutputLock:
    """Hold the output folder's lock for the lifetime of a run."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / LOCK_NAME
        self._fd: int | None = None

    def _holder(self) -> dict[str, object]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            raise OutputLockedError(
                f"the output folder {self.path.parent} is in use by {_describe(self._holder())}; "
                "wait for that run to end (one run writes to a folder at a time)"
            ) from None
        holder = self._holder()
        host = socket.gethostname()
        pid = holder.get("pid")
        if holder and isinstance(pid, int) and pid != os.getpid():
            if holder.get("host") not in (None, host):
                os.close(fd)
                raise OutputLockedError(
                    f"the output folder {self.path.parent} is locked by {_describe(holder)}, which cannot be "
                    f"checked from {host}; if that run is over, delete {self.path}"
                )
            if _pid_alive(pid):
                # alive but not holding the flock: the same pid was reused, or a file system without flock
                logger.warning("the lock in %s names pid %s, which is running but does not hold it", self.path, pid)
            logger.warning("taking over a stale lock of %s: that run ended without releasing it", _describe(holder))
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "host": host, "started": time.time()}).encode(), 0)
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None
