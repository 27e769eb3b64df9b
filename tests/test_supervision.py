"""``siir up`` supervises its services: a service that dies comes back (logged: which, why, when) while
the others keep serving; SIGTERM leaves no process of the tree behind and frees every port.

The real command, as an operator starts it, on the PostgreSQL server (a fresh database) and, once,
on the embedded PostgreSQL; every process it starts carries a marker in its environment, so a
leftover is found in /proc even after it was re-parented.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from siir.settings import PROJECT_ROOT
from siirctl.supervision import Backoff, Service, Supervisor
from tests.conftest import create_database, drop_database, free_port

STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


def marked_processes(mark: str) -> list[int]:
    """Pids of live processes whose environment carries ``mark``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environment = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if f"SIIR_PROCESS_MARK={mark}".encode() in environment.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running (a zombie has ended: its parent, maybe init, has not reaped it yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def port_free(port: int) -> bool:
    """Nothing listens there: a new server could bind it (as uvicorn does, with SO_REUSEADDR, since our
    own closed connections may sit in TIME_WAIT) and a client is refused."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def wait_for(condition, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


class Up:
    """``python -m siirctl up --no-demo`` in its own session, its output in a file."""

    def __init__(self, tmp: Path, environment: dict[str, str]) -> None:
        self.mark = secrets.token_hex(8)
        self.ports = {name: free_port() for name in ("gateway", "registry", "reporting")}
        self.log_path = tmp / "up.log"
        # Only what this test sets: no database or subgraph address inherited from the shell.
        inherited = {key: value for key, value in os.environ.items()
                     if key not in ("DATABASE_URL", "SIIR_REPORTING_DATABASE_URL", "SIIR_REPORTING_SOURCE_URL")
                     and not key.startswith("SIIR_SUBGRAPH_")}
        env = {**inherited, **environment, "SIIR_PROCESS_MARK": self.mark, "SIIR_DATA_DIR": str(tmp / "data"),
               **{f"SIIR_{name.upper()}_PORT": str(port) for name, port in self.ports.items()}}
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "siirctl", "up", "--no-demo"], cwd=PROJECT_ROOT,
                                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def log(self) -> str:
        return self.log_path.read_text()

    def wait_up(self, timeout: float = 240) -> None:
        def up() -> bool:
            assert self.process.poll() is None, self.log()
            return "siir: up." in self.log()
        wait_for(up, timeout, "siir up")

    def url(self, name: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}{path}"

    def service_pid(self, name: str) -> int:
        for child in children(self.process.pid):
            if f"siirctl\0{name}".encode() in Path(f"/proc/{child}/cmdline").read_bytes():
                return child
        raise AssertionError(f"no {name} process under {self.process.pid}")

    def terminate(self, number: signal.Signals = signal.SIGTERM, timeout: float = 60) -> int:
        self.process.send_signal(number)
        return self.process.wait(timeout=timeout)

    def clean_up(self) -> None:
        """Whatever a failed test left: the whole marked tree, by pid."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for pid in marked_processes(self.mark):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture
def embedded_dir() -> Iterator[Path]:
    """A folder for an embedded server's data, outside pytest's: as root the server runs as another user,
    and every pytest session on the machine makes /tmp/pytest-of-root private again."""
    folder = Path(tempfile.mkdtemp(prefix="siir-embedded-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def up_on_server(admin_url: str, tmp_path: Path) -> Iterator[Up]:
    url = create_database(admin_url, "siir_supervised")
    up = Up(tmp_path, {"DATABASE_URL": url})
    try:
        yield up
    finally:
        up.clean_up()
        drop_database(admin_url, url)


def test_a_killed_service_is_restarted_and_logged_and_sigterm_leaves_nothing(up_on_server: Up) -> None:
    up = up_on_server
    up.wait_up()
    tree = {up.process.pid, *children(up.process.pid)}
    assert len(tree) == 4, up.log()  # the supervisor and its three services
    assert sorted(marked_processes(up.mark)) == sorted(tree)

    victim = up.service_pid("reporting")
    os.kill(victim, signal.SIGKILL)
    # The others keep serving meanwhile; the gateway says which subgraph is missing.
    assert httpx.get(up.url("registry", "/readiness"), timeout=10).status_code == 200
    assert httpx.get(up.url("gateway", "/healthcheck"), timeout=10).status_code == 200

    log = wait_for(lambda: re.search(rf"siir: {STAMP} reporting \(pid {victim}\) exited with signal SIGKILL "
                                     r"after [\d.]+ s; restarting in 0\.5 s\n", up.log()) and up.log(), 30, "the exit logged")
    restarted = wait_for(lambda: re.search(rf"siir: {STAMP} reporting restarted \(pid (\d+)\)", up.log()), 30,
                         "the restart logged")
    assert int(restarted.group(1)) != victim and int(restarted.group(1)) == up.service_pid("reporting"), log
    wait_for(lambda: httpx.get(up.url("gateway", "/readiness"), timeout=10).status_code == 200, 60,
             "the gateway ready again")

    tree = {up.process.pid, *children(up.process.pid)}
    assert not any(port_free(port) for port in up.ports.values())
    assert up.terminate() == 0
    log = up.log()
    assert re.search(rf"siir: {STAMP} stopping \(SIGTERM\): gateway, reporting, registry\n", log), log
    assert log.rstrip().endswith("stopped"), log
    assert marked_processes(up.mark) == [], log
    assert not any(alive(pid) for pid in tree)
    assert all(port_free(port) for port in up.ports.values())


def run_supervisor(supervisor: Supervisor, seconds: float) -> str:
    threading.Timer(seconds, supervisor.request_stop, args=("test",)).start()
    assert supervisor.run() == 0
    return supervisor.out.getvalue()  # type: ignore[attr-defined]


def test_restarts_back_off_up_to_the_ceiling() -> None:
    crashing = Service("crashing", [sys.executable, "-c", "import sys; sys.exit(3)"])
    out = run_supervisor(Supervisor([crashing], backoff=Backoff(initial=0.1, ceiling=0.4, stable=60), out=io.StringIO()), 3.0)
    delays = [float(d) for d in re.findall(r"crashing \(pid \d+\) exited with exit code 3 after [\d.]+ s; restarting in ([\d.]+) s", out)]
    assert delays[:4] == [0.1, 0.2, 0.4, 0.4], out
    assert len(delays) >= 5 and set(delays[3:]) == {0.4}, out


def test_the_backoff_starts_over_once_a_service_stayed_up() -> None:
    # Up 0.5 s each time, "stable" after 0.3 s: every exit is a first one again.
    flaky = Service("flaky", [sys.executable, "-c", "import time; time.sleep(0.5)"])
    out = run_supervisor(Supervisor([flaky], backoff=Backoff(initial=0.1, ceiling=5, stable=0.3), out=io.StringIO()), 3.5)
    delays = re.findall(r"flaky \(pid \d+\) exited with exit code 0 after [\d.]+ s; restarting in ([\d.]+) s", out)
    assert len(delays) >= 3 and set(delays) == {"0.1"}, out


def test_a_service_that_ignores_sigterm_is_killed_with_its_group() -> None:
    # It ignores SIGTERM and has started a grandchild of its own that does too.
    script = ("import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
              "subprocess.Popen([sys.executable, '-c', 'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)']); "
              "time.sleep(600)")
    mark = secrets.token_hex(8)
    supervisor = Supervisor([Service("stubborn", [sys.executable, "-c", script])],
                            environment={**os.environ, "SIIR_PROCESS_MARK": mark}, stop_timeout=1.0, out=io.StringIO())
    threading.Timer(2.0, supervisor.request_stop, args=("test",)).start()
    began = time.monotonic()
    assert supervisor.run() == 0
    out = supervisor.out.getvalue()  # type: ignore[attr-defined]
    assert "stubborn (pid" in out and "did not stop in 1 s; killing it" in out, out
    assert time.monotonic() - began < 10
    assert wait_for(lambda: marked_processes(mark) == [], 5, "the group gone")


def test_siir_up_on_the_embedded_postgresql_stops_it_on_ctrl_c(embedded_dir: Path) -> None:
    up = Up(embedded_dir, {})
    try:
        up.wait_up(timeout=300)
        postmaster = embedded_dir / "data" / "pgdata" / "postmaster.pid"
        pid = int(postmaster.read_text().split()[0])
        assert pid in marked_processes(up.mark)
        assert up.terminate(signal.SIGINT) == 0  # Ctrl-C, as a terminal sends it
        log = up.log()
        assert re.search(rf"siir: {STAMP} stopping \(SIGINT\): gateway, reporting, registry\n", log), log
        assert "siir: embedded PostgreSQL stopped" in log, log
        assert not postmaster.exists(), log
        # pg_ctl returns once the pid file is gone, which the postmaster removes as it exits.
        wait_for(lambda: not alive(pid), 5, "the postmaster gone")
        assert marked_processes(up.mark) == [], log
        assert all(port_free(port) for port in up.ports.values())
    finally:
        up.clean_up()


def test_a_test_run_stops_the_embedded_postgresql_it_started(tmp_path: Path, embedded_dir: Path) -> None:
    probe = tmp_path / "test_probe.py"
    probe.write_text("def test_probe(admin_url):\n    assert admin_url.startswith('postgresql://')\n")
    mark = secrets.token_hex(8)
    env = {key: value for key, value in os.environ.items() if key != "SIIR_TEST_DATABASE_URL"}
    env.update(SIIR_TEST_DATA_DIR=str(embedded_dir / "data"), SIIR_PROCESS_MARK=mark)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.conftest",
                           "--rootdir", str(PROJECT_ROOT), "-c", str(PROJECT_ROOT / "pyproject.toml"), str(probe)],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (embedded_dir / "data" / "pgdata" / "PG_VERSION").exists()  # it did run on its own embedded server
    assert not (embedded_dir / "data" / "pgdata" / "postmaster.pid").exists()
    wait_for(lambda: marked_processes(mark) == [], 5, "no process of the run left")


def test_a_service_that_fails_to_start_stops_the_start_up_instead_of_looping() -> None:
    # E.g. its port is taken: restarting would not help, and the operator must see it at once.
    first = Service("first", [sys.executable, "-c", "import time; time.sleep(600)"])
    broken = Service("broken", [sys.executable, "-c", "import sys; sys.exit(2)"], ready_url="http://127.0.0.1:9/readiness")
    supervisor = Supervisor([first, broken], out=io.StringIO())
    assert supervisor.run() == 1
    out = supervisor.out.getvalue()  # type: ignore[attr-defined]
    assert re.search(rf"siir: {STAMP} start-up failed: broken exited with exit code 2\n", out), out
    assert "restarting" not in out and "stopping (start-up failed): broken, first" in out, out
