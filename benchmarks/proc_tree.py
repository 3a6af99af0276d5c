"""A process tree's memory and CPU, read from /proc (Linux): the server under load in bench_load."""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path


def tree_pids(root_pid: int) -> set[int]:
    """A process and all its descendants, from /proc (Linux)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return tree


def process_rss_mb(pid: int) -> float:
    """Resident memory of one process in MB (0 once it has ended)."""
    with contextlib.suppress(OSError):
        status = Path(f"/proc/{pid}/status").read_text()
        return sum(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")) / 1024
    return 0.0


def tree_rss_mb(root_pid: int) -> float:
    """Resident memory of a process tree in MB. A page that forked processes share (torch, loaded
    once by the forkserver) counts once per process: an upper bound of what the tree holds."""
    return sum(process_rss_mb(pid) for pid in tree_pids(root_pid))


def memory(pid: int) -> tuple[float, float]:
    """(whole tree, Streamlit process alone) in MB."""
    return tree_rss_mb(pid), process_rss_mb(pid)


def tree_cpu_s(root_pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) so far of the Streamlit process and of its descendants (the
    training pool: the forkserver and its processes), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    server = pool_s = 0.0
    for pid in tree_pids(root_pid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            used = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
            if pid == root_pid:
                server = used
            else:
                pool_s += used
    return server, pool_s


class MemoryWatch(threading.Thread):
    """Samples the server tree's memory every 0.5 s until stopped; keeps the peak (with the
Streamlit process's share at that moment)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self._done = pid, (0.0, 0.0), threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, memory(self.pid))  # by the whole tree's memory first
            self._done.wait(0.5)

    def stop(self) -> tuple[float, float]:
        self._done.set()
        self.join()
        return self.peak
