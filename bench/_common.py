"""Helpers shared by the bench scripts (which put the project root on sys.path first)."""

import socket
import subprocess

import psycopg
from sqlalchemy.engine import make_url

from config import database_url


def fresh_postgres(url: str, suffix: str = "") -> str:
    """Drop and create the database named in `url` (with `suffix` appended, so that scripts
    sharing one URL can keep their own database); return its SQLAlchemy URL."""
    parsed = make_url(database_url(url))
    parsed = parsed.set(database=f"{parsed.database}{suffix}")
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{parsed.database}"')
    return parsed.render_as_string(hide_password=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_gunicorn(process: subprocess.Popen) -> None:
    """SIGTERM, a graceful stop (workers run their exit hooks); SIGKILL after 60 s."""
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
