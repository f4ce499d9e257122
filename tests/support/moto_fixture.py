"""moto's server for the pytest suites (tests/shells, tests/windows): started on a free
loopback port through tests/support/moto_server.py, which stops when its stdin closes."""
import socket
import subprocess
import sys
import time
from pathlib import Path

SERVER = Path(__file__).resolve().parent / "moto_server.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def running_moto():
    """A generator for a session fixture: yields the server's URL once it answers, and stops
    it when the fixture is torn down."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(SERVER), str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout.readline().strip() == "ready", "moto server did not start"
    deadline = time.time() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.time() < deadline, "moto server not reachable"
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    proc.stdin.close()
    proc.wait(timeout=10)
