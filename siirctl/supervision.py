"""Process supervision for ``siir up``: each service in its own process group, restarted when it exits.

A service that exits is started again after a delay that doubles from ``Backoff.initial`` up to
``Backoff.ceiling`` and starts over once the service has stayed up ``Backoff.stable`` seconds; the
others keep serving meanwhile. Every exit is logged with the service, its pid, why (exit code or
signal name) and when. SIGTERM and SIGINT stop every service: SIGTERM to each process group, then
SIGKILL to whatever is left after ``stop_timeout``.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TextIO


@dataclass(frozen=True)
class Service:
    """One supervised process: its command, where it reports ready, what to print for it."""

    name: str
    command: Sequence[str]
    ready_url: str | None = None
    endpoint: str = ""


@dataclass(frozen=True)
class Backoff:
    """Seconds before a restart: ``initial``, doubling to ``ceiling``; reset after ``stable`` seconds up."""

    initial: float = 0.5
    ceiling: float = 30.0
    stable: float = 60.0

    def delay(self, restarts: int) -> float:
        return min(self.ceiling, self.initial * 2 ** restarts)


class StartFailed(Exception):
    """A service exited or never became ready during start-up: nothing is restarted then, it is a
    configuration to fix (a port in use, a database out of reach)."""


@dataclass
class _Running:
    service: Service
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    restarts: int = 0  # consecutive ones, for the backoff
    restart_at: float | None = None


def exit_reason(returncode: int) -> str:
    """``exit code 3`` or ``signal SIGKILL``, from a Popen return code."""
    if returncode < 0:
        try:
            return f"signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"signal {-returncode}"
    return f"exit code {returncode}"


@dataclass
class Supervisor:
    """Starts ``services`` in order, keeps them running until a stop signal, then stops them all."""

    services: Sequence[Service]
    environment: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    backoff: Backoff = field(default_factory=Backoff)
    stop_timeout: float = 10.0
    ready_timeout: float = 120.0
    out: TextIO = field(default_factory=lambda: sys.stdout)
    _running: list[_Running] = field(default_factory=list, init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)
    _stop_reason: str = field(default="", init=False)

    def log(self, message: str) -> None:
        stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
        # One write with its newline: print() writes the end apart, and on an unbuffered stream a service's
        # log line written between the two split the supervisor's line (seen once in CI).
        self.out.write(f"siir: {stamp} {message}\n")
        self.out.flush()

    def request_stop(self, reason: str) -> None:
        self._stop_reason = reason
        self._stop.set()

    def install_signal_handlers(self) -> None:
        """SIGTERM (systemd, a container runtime) and SIGINT (Ctrl-C) stop everything cleanly."""
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda received, frame: self.request_stop(signal.Signals(received).name))

    def run(self, on_ready: Callable[[], None] = lambda: None) -> int:
        """Start, supervise until a stop signal, stop. 0 after a requested stop, 1 if start-up failed."""
        try:
            for service in self.services:
                if self._stop.is_set():
                    break
                running = _Running(service)
                self._running.append(running)
                self._spawn(running)
                self._wait_ready(running)
                if self._stop.is_set():
                    break
                self.log(f"{service.name:<9} {service.endpoint}" if service.endpoint else f"{service.name} ready")
            if not self._stop.is_set():
                on_ready()
            while not self._stop.wait(0.2):
                self._supervise()
            return 0
        except StartFailed as error:
            self.log(f"start-up failed: {error}")
            return 1
        finally:
            self.stop()

    def _spawn(self, running: _Running) -> None:
        # A process group of its own: a signal reaches the service and anything it started, and the
        # terminal's Ctrl-C reaches only this supervisor, which then stops them in order.
        running.process = subprocess.Popen(list(running.service.command), env=dict(self.environment),
                                           start_new_session=True)
        running.started = time.monotonic()
        running.restart_at = None

    def _wait_ready(self, running: _Running) -> None:
        url, process = running.service.ready_url, running.process
        assert process is not None
        deadline = time.monotonic() + self.ready_timeout
        while url and not self._stop.is_set():
            if process.poll() is not None:
                raise StartFailed(f"{running.service.name} exited with {exit_reason(process.returncode)}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own localhost)
                    if response.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise StartFailed(f"{running.service.name} was not ready at {url} within {self.ready_timeout:.0f} s")
            self._stop.wait(0.2)

    def _supervise(self) -> None:
        now = time.monotonic()
        for running in self._running:
            process = running.process
            if running.restart_at is not None:
                if now >= running.restart_at:
                    self._spawn(running)
                    self.log(f"{running.service.name} restarted (pid {running.process.pid})")  # type: ignore[union-attr]
                continue
            assert process is not None
            if process.poll() is None:
                if running.restarts and now - running.started >= self.backoff.stable:
                    running.restarts = 0  # it stayed up: the next exit restarts quickly again
                continue
            delay = self.backoff.delay(running.restarts)
            running.restarts += 1
            running.restart_at = now + delay
            self.log(f"{running.service.name} (pid {process.pid}) exited with {exit_reason(process.returncode)} "
                     f"after {now - running.started:.1f} s; restarting in {delay:.1f} s")

    def stop(self) -> None:
        """SIGTERM every process group (last started first), SIGKILL what is left after ``stop_timeout``."""
        for waiting in (r for r in self._running if r.process is not None and r.restart_at is not None):
            _signal_group(waiting.process.pid, signal.SIGKILL)  # type: ignore[union-attr]  # leftovers of an exited one
        live = [r for r in reversed(self._running) if r.process is not None and r.restart_at is None]
        if not live:
            self._running.clear()
            return
        self.log(f"stopping ({self._stop_reason or 'start-up failed'}): " + ", ".join(r.service.name for r in live))
        for running in live:
            _signal_group(running.process.pid, signal.SIGTERM)  # type: ignore[union-attr]
        deadline = time.monotonic() + self.stop_timeout
        for running in live:
            process = running.process
            assert process is not None
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.log(f"{running.service.name} (pid {process.pid}) did not stop in {self.stop_timeout:.0f} s; killing it")
            # Whatever it started and left behind goes too.
            _signal_group(process.pid, signal.SIGKILL)
            process.wait()
        self._running.clear()
        self.log("stopped")


def _signal_group(pgid: int, number: signal.Signals) -> None:
    try:
        os.killpg(pgid, number)
    except ProcessLookupError:  # the group is already empty
        pass
