"""Try GANKMeans as N replicas behind nginx on one machine: `python deploy/replicas.py --replicas 3`.

Starts N Streamlit servers of this checkout on free localhost ports, nginx in front of them on
--port (sticky sessions and websockets: deploy/nginx.conf.template), and stops them all on Ctrl-C.
Every log and every file nginx writes go to one folder (--dir; a new temporary one by default),
so it runs as an ordinary user. `--print-config` prints the nginx config for replicas you run
yourself (--replica HOST:PORT, repeated). docs/deploy.md explains the settings and the capacity.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).with_name("nginx.conf.template")
NGINX_PATHS = ("nginx", "/usr/sbin/nginx")


def nginx_binary() -> str | None:
    """The nginx executable (Debian keeps it in /usr/sbin, off an ordinary user's PATH), or None."""
    return next((found for name in NGINX_PATHS if (found := shutil.which(name))), None)


def render(listen: str, replicas: list[str], runtime: Path) -> str:
    """The nginx config for ``replicas`` ("host:port" each), listening on ``listen``.

    Parameters
    ----------
    listen : str
        nginx's ``listen`` value, e.g. "8080" or "127.0.0.1:8080".
    replicas : list of str
        Each replica's address as nginx reaches it.
    runtime : Path
        Folder for nginx's pid file, logs and temporary files.

    Returns
    -------
    str
        The config file's text.
    """
    if not replicas:
        raise ValueError("give at least one replica address (host:port)")
    names = [f"r{index + 1}" for index in range(len(replicas))]
    pinned = []
    for name, address in zip(names, replicas, strict=True):
        backups = [f"        server {other} backup;" for other in replicas if other != address]
        pinned += [f"    upstream gankmeans_{name}_session {{", f"        server {address};", "    }",
                   f"    upstream gankmeans_{name}_pages {{", f"        server {address};", *backups, "    }"]
    values = {
        # Started as root, nginx would run its workers as "nobody", who cannot enter a private folder.
        "user": "user root;" if hasattr(os, "geteuid") and os.geteuid() == 0 else "",
        "runtime": str(runtime), "listen": listen, "pinned_upstreams": "\n".join(pinned),
        "servers": "\n".join(f"        server {address};" for address in replicas),
        "session_routes": "\n".join(f"        {name} gankmeans_{name}_session;" for name in names),
        "page_routes": "\n".join(f"        {name} gankmeans_{name}_pages;" for name in names),
        "served_names": "\n".join(f'        "~(^|, ){re.escape(address)}$" {name};'
                                  for name, address in zip(names, replicas, strict=True)),
    }
    text = TEMPLATE.read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 120.0) -> None:
    """Wait until ``url`` answers 200 (Streamlit's /_stcore/health, directly or through nginx)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited early with code {process.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@dataclass
class Deployment:
    """N replicas and nginx, started by ``start``; ``stop`` ends them all."""

    url: str
    runtime: Path
    ports: list[int]
    replicas: list[subprocess.Popen] = field(default_factory=list)
    nginx: subprocess.Popen | None = None

    def stop_replica(self, index: int, sig: int = signal.SIGKILL) -> None:
        """Stop one replica and its training processes (SIGKILL: as if its machine failed)."""
        process = self.replicas[index]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.terminate()
            self.nginx.wait(timeout=10)
        for index, process in enumerate(self.replicas):
            if process.poll() is None:
                self.stop_replica(index, signal.SIGTERM)
            if process.poll() is None:
                self.stop_replica(index, signal.SIGKILL)


def start_replica(port: int, runtime: Path, env: dict) -> subprocess.Popen:
    """`streamlit run app.py` of this checkout on localhost:port, logging to runtime/replica-PORT.log."""
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true",
               "--browser.gatherUsageStats", "false"]
    with open(runtime / f"replica-{port}.log", "wb") as log:
        # A process group of its own: stopping the replica stops its training processes too.
        return subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)


def start(replicas: int, port: int, runtime: Path, processes: int | None = None) -> Deployment:
    """Start ``replicas`` Streamlit servers and nginx on ``port``; returns once all answer.

    Parameters
    ----------
    replicas : int
        How many Streamlit servers.
    port : int
        nginx's port on 127.0.0.1.
    runtime : Path
        Folder for the logs and nginx's files (made if missing).
    processes : int, optional
        Training processes per replica (GANKMEANS_TRAINING_PROCESSES); default: the cores shared
        out between the replicas, at least one each.
    """
    binary = nginx_binary()
    if binary is None:
        raise RuntimeError("nginx is not installed (Debian/Ubuntu: apt-get install nginx)")
    runtime.mkdir(parents=True, exist_ok=True)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    env = {**os.environ, "GANKMEANS_TRAINING_PROCESSES": str(processes or max(1, cores // replicas)),
           # One secret for all: a page that moves to another replica keeps a valid XSRF cookie.
           "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32)}
    deployment = Deployment(f"http://127.0.0.1:{port}", runtime, [free_port() for _ in range(replicas)])
    try:
        deployment.replicas = [start_replica(each, runtime, env) for each in deployment.ports]
        for each, process in zip(deployment.ports, deployment.replicas, strict=True):
            wait_healthy(f"http://127.0.0.1:{each}/_stcore/health", process)
        config = runtime / "nginx.conf"
        config.write_text(render(f"127.0.0.1:{port}", [f"127.0.0.1:{each}" for each in deployment.ports],
                                 runtime))
        command = [binary, "-p", str(runtime), "-c", str(config), "-g", "daemon off;"]
        with open(runtime / "nginx.out", "wb") as log:
            deployment.nginx = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        wait_healthy(f"{deployment.url}/_stcore/health", deployment.nginx, timeout=30)
    except Exception:
        deployment.stop()
        raise
    return deployment


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicas", type=int, default=2, help="Streamlit servers to start (default 2)")
    parser.add_argument("--port", type=int, default=8080, help="nginx's port (default 8080)")
    parser.add_argument("--processes", type=int,
                        help="training processes per replica (default: the cores / replicas)")
    parser.add_argument("--dir", type=Path,
                        help="folder for logs and nginx's files (default: a new temporary one)")
    parser.add_argument("--print-config", action="store_true", help="print the nginx config and exit")
    parser.add_argument("--replica", action="append", metavar="HOST:PORT", help="with --print-config")
    args = parser.parse_args()
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    if args.print_config:
        addresses = args.replica or [f"127.0.0.1:{8501 + index}" for index in range(args.replicas)]
        print(render(str(args.port), addresses, args.dir or Path("/var/lib/gankmeans-nginx")))
        return 0
    runtime = args.dir or Path(tempfile.mkdtemp(prefix="gankmeans-replicas-"))
    deployment = start(args.replicas, args.port, runtime.resolve(), args.processes)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop everything on `kill` too
    try:
        print(f"GANKMeans: {deployment.url} (nginx) -> replicas on ports "
              f"{', '.join(map(str, deployment.ports))}\nLogs: {runtime}\nCtrl-C stops them all.", flush=True)
        while all(process.poll() is None for process in [deployment.nginx, *deployment.replicas]):
            time.sleep(1)
        print("A process stopped on its own; see the logs. Stopping the rest.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        deployment.stop()


if __name__ == "__main__":
    sys.exit(main())
