"""Servers the tests run as child processes from the repository root (gunicorn, flask run):
started in their own session, so no signal meant for pytest reaches them, and stopped by PID."""

import os
import signal
import socket
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spawn(command: list[str], env: dict, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
    """`command` running in the repository root with exactly `env`."""
    return subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=stdout, stderr=stderr, start_new_session=True
    )


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process and its children; SIGKILL after 15 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
