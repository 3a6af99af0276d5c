"""deploy/: the Dockerfile does what the README says and nothing else, and the nginx config keeps
each visitor on one replica (moving them only when it is down), checked against real nginx."""

from __future__ import annotations

import http.server
import json
import re
import shlex
import subprocess
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager

import pytest
from conftest import ROOT, free_port, nginx_or_skip

from deploy import replicas

DOCKERFILE = ROOT / "deploy" / "Dockerfile"
# Instructions that set the image up without installing or running anything.
PLUMBING = {"FROM", "WORKDIR", "COPY", "EXPOSE"}


def readme_command() -> list[str]:
    """The README's first command (its first bash block's first line), split at "&&"."""
    block = re.search(r"```bash\n(.*?)```", (ROOT / "README.md").read_text(), re.S)[1]
    line = block.splitlines()[0].split("#")[0]
    return [" ".join(shlex.split(step)) for step in line.split("&&")]


def dockerfile_steps(text: str) -> tuple[list[str], list[str]]:
    """(the RUN and CMD commands in order, the other instructions' keywords) of a Dockerfile."""
    commands, others = [], []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        keyword, _, rest = line.strip().partition(" ")
        if keyword == "RUN":
            commands.append(" ".join(shlex.split(rest)))
        elif keyword == "CMD":
            commands.append(" ".join(json.loads(rest)))
        else:
            others.append(keyword)
    return commands, others


def test_the_dockerfile_installs_and_runs_exactly_as_the_readme_says():
    commands, others = dockerfile_steps(DOCKERFILE.read_text())
    assert readme_command() == ["pip install -r requirements.txt", "streamlit run app.py"]
    assert commands == readme_command()
    assert set(others) <= PLUMBING, f"the Dockerfile does more than the README: {others}"


@pytest.mark.parametrize(("old", "new"), [
    ("RUN pip", "RUN apt-get update\nRUN pip"),  # an extra install step
    ("EXPOSE", "ENV GANKMEANS_TRAINING_PROCESSES=4\nEXPOSE"),  # a setting the README does not give
    ('"app.py"]', '"app.py", "--server.port", "80"]'),  # another way to run it
])
def test_the_check_sees_a_dockerfile_that_drifts_from_the_readme(old, new):
    commands, others = dockerfile_steps(DOCKERFILE.read_text().replace(old, new))
    assert commands != readme_command() or not set(others) <= PLUMBING


@pytest.mark.parametrize("count", [1, 2, 5])
def test_nginx_accepts_the_config_for_any_number_of_replicas(tmp_path, count):
    binary = nginx_or_skip()
    config = tmp_path / "nginx.conf"
    config.write_text(replicas.render(str(free_port()), [f"10.0.0.{i}:8501" for i in range(count)], tmp_path))
    result = subprocess.run([binary, "-t", "-p", str(tmp_path), "-c", str(config)], capture_output=True,
                            text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_a_config_needs_a_replica(tmp_path):
    with pytest.raises(ValueError, match="at least one replica"):
        replicas.render("8080", [], tmp_path)


class Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        body = str(self.server.server_address[1]).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextmanager
def backends(count):
    """``count`` tiny HTTP servers that answer with their own port, standing in for replicas."""
    servers = [http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer) for _ in range(count)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield servers
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def get(url, cookie=None):
    """(the port that answered, the replica cookie nginx set)."""
    request = urllib.request.Request(url, headers={"Cookie": f"gankmeans_replica={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        set_cookie = re.search(r"gankmeans_replica=([^;]*)", response.headers["Set-Cookie"] or "")
        return int(response.read()), set_cookie[1] if set_cookie else None


@pytest.fixture
def proxy(tmp_path):
    binary = nginx_or_skip()
    with backends(2) as servers:
        ports = [server.server_address[1] for server in servers]
        port = free_port()
        config = tmp_path / "nginx.conf"
        config.write_text(replicas.render(f"127.0.0.1:{port}", [f"127.0.0.1:{p}" for p in ports], tmp_path))
        nginx = subprocess.Popen([binary, "-p", str(tmp_path), "-c", str(config), "-g", "daemon off;"])
        try:
            replicas.wait_healthy(f"http://127.0.0.1:{port}/", nginx, timeout=30)
            yield f"http://127.0.0.1:{port}/", servers, ports
        finally:
            nginx.terminate()
            nginx.wait(timeout=10)


def test_a_visitor_stays_on_its_replica_and_its_session_never_moves(proxy):
    url, servers, ports = proxy
    first, second = get(url), get(url)
    assert {first[0], second[0]} == set(ports)  # new visitors take turns
    port, cookie = first
    assert all(get(url, cookie) == (port, cookie) for _ in range(3))  # then stay
    assert all(get(url + "_stcore/health", cookie) == (port, cookie) for _ in range(3))
    assert get(url, "127.0.0.1:1")[0] in ports  # a forged cookie reaches no other address
    down = ports.index(port)
    servers[down].shutdown()
    servers[down].server_close()
    # Its session's requests (websocket, health checks) wait for its replica: the page shows
    # Streamlit's reconnect message instead of silently starting over elsewhere...
    with pytest.raises(urllib.error.HTTPError, match="502"):
        get(url + "_stcore/health", cookie)
    # ...and a reload moves the page to a live replica, for good.
    moved, new_cookie = get(url, cookie)
    assert moved == ports[1 - down] and new_cookie != cookie
    assert get(url + "_stcore/health", new_cookie)[0] == moved
