"""What the workers of benchmarks/workers.py spend: their CPU (channel and core processes, from
/proc by benchmarks/bot_load.py's `cpu_seconds`), their PostgreSQL backends' CPU, and pinning a
worker to one core (Linux)."""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
from dataclasses import dataclass, fields
from pathlib import Path

from sqlalchemy import create_engine, text

from benchmarks.bot_load import cpu_seconds


@dataclass
class Answered:
    """A burst through some workers: the pace, and what the workers' CPU spent on it."""

    rate: float  # answered messages a second
    p95: float  # seconds
    channel: float  # CPU seconds a message, the workers' channel processes together
    core: float  # the same, their core processes (0 with the core in a thread)
    idle: float  # CPU seconds a second the workers spend with nothing to answer (lease, ticks)
    fake: float  # CPU seconds a message of this process (the fake Bot API, the villagers, the proxy)
    database: float  # CPU seconds a message of the PostgreSQL backends serving the workers (at least)

    @property
    def cpu(self) -> float:
        return self.channel + self.core


def workers_cpu(processes: list[subprocess.Popen[bytes]]) -> tuple[float, float]:
    """The workers' CPU seconds so far, channels and cores (benchmarks/bot_load.py's `cpu_seconds`)."""
    spent = [cpu_seconds(p.pid) for p in processes]
    return sum(c for c, _ in spent), sum(k for _, k in spent)


def backends_cpu(processes: list[subprocess.Popen[bytes]], url: str) -> dict[int, float]:
    """CPU seconds so far of the PostgreSQL backends serving the workers' connections (found by their
    client ports); a connection closed meanwhile is not counted, so what it gives is a lower bound."""
    inodes: set[str] = set()
    for process in processes:
        kids = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        for pid in (process.pid, *kids):
            with contextlib.suppress(OSError):
                for fd in os.scandir(f"/proc/{pid}/fd"):
                    with contextlib.suppress(OSError):
                        if (link := os.readlink(fd.path)).startswith("socket:["):
                            inodes.add(link[8:-1])
    ports = []
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
                fields = line.split()
                if fields[9] in inodes and fields[2].endswith(":1538"):  # to port 5432
                    ports.append(int(fields[1].rsplit(":", 1)[1], 16))
    if not ports:
        return {}
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT pid FROM pg_stat_activity WHERE client_port = ANY(:p)"),
                                       {"p": ports}).scalars()
            return {pid: sum(cpu_seconds(pid)) for pid in found}
    finally:
        engine.dispose()


def pin(processes: list[subprocess.Popen[bytes]], cores: list[int]) -> None:
    """Worker n (its threads and its core's process) on core `cores[n]` alone."""
    for process, core in zip(processes, cores, strict=True):
        kids = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        for pid in (process.pid, *map(int, kids)):
            for task in os.listdir(f"/proc/{pid}/task"):
                with contextlib.suppress(OSError):
                    os.sched_setaffinity(int(task), {core})


def median(runs: list[Answered]) -> Answered:
    """Each figure's median over the rounds (the machine's other work comes and goes)."""
    names = [f.name for f in fields(Answered)]
    return Answered(**{name: statistics.median(getattr(r, name) for r in runs) for name in names})
