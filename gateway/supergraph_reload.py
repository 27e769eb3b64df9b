"""Supergraph hot reload: serve a new supergraph when its file (or URL) changes, without a restart.

Every ``interval`` seconds the watcher looks at the source: a file's modification time and size,
a URL's ``ETag`` (a conditional GET; without an ETag the whole text is fetched and compared, since
``Last-Modified`` has one-second steps and would hide a change made in the second of the last fetch). When the text changed it builds the whole
served schema (parse, API schema, policies) off the event loop and swaps it in
(``Gateway.serve_schema``): requests in flight finish on the old one. A supergraph that does not
build is refused with one log line naming the error, and the old one keeps serving; the same
broken text is not tried again until it changes.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from pathlib import Path
from typing import Any, Callable

import httpx

logger = logging.getLogger("gateway.reload")


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def read_supergraph(source: str, timeout: float = 10.0) -> str:
    """The supergraph text of a file path or an http(s) URL (at start-up)."""
    if is_url(source):
        response = httpx.get(source, timeout=timeout, follow_redirects=True)
        response.raise_for_status()
        return response.text
    return Path(source).read_text()


class SupergraphWatcher:
    """Polls ``source``; ``build`` makes the served schema of a new text (in a worker thread, raising
    when it cannot be served), ``swap`` puts it in service (on the event loop)."""

    def __init__(self, source: str, interval: float, *, build: Callable[[str], Any], swap: Callable[[Any], None],
                 current_text: str) -> None:
        self.source = source
        self.interval = interval
        self.build = build
        self.swap = swap
        self.digest = _digest(current_text)
        self.stamp: tuple[int, int] | None = self._file_stamp() if not is_url(source) else None
        self.etag: str | None = None  # of the URL's last answer

    async def run(self) -> None:
        """Poll until cancelled."""
        async with httpx.AsyncClient(timeout=10.0, follow_redirects=True) as http:
            while True:
                await asyncio.sleep(self.interval)
                try:
                    await self.check(http)
                except asyncio.CancelledError:
                    raise
                except Exception as error:  # never let one bad poll stop reloading for good
                    logger.error("supergraph reload: cannot read %s: %s", self.source, error)

    async def check(self, http: httpx.AsyncClient) -> bool:
        """Look once; True when a new supergraph is now served."""
        text = await (self._fetch(http) if is_url(self.source) else self._read_file())
        if text is None:
            return False
        digest = _digest(text)
        if digest == self.digest:
            return False
        self.digest = digest  # tried once, served or refused, until the text changes again
        try:
            schema = await asyncio.to_thread(self.build, text)
        except Exception as error:
            logger.error("supergraph reload: refused the new supergraph from %s, still serving the previous "
                         "one: %s", self.source, error)
            return False
        self.swap(schema)
        logger.warning("supergraph reload: now serving the supergraph from %s (sha256 %s)", self.source, digest[:12])
        return True

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            stat = Path(self.source).stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    async def _read_file(self) -> str | None:
        stamp = self._file_stamp()
        if stamp is None or stamp == self.stamp:
            return None
        self.stamp = stamp
        return Path(self.source).read_text()

    async def _fetch(self, http: httpx.AsyncClient) -> str | None:
        response = await http.get(self.source, headers={"if-none-match": self.etag} if self.etag else {})
        if response.status_code == 304:
            return None
        response.raise_for_status()
        self.etag = response.headers.get("etag")
        return response.text


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
