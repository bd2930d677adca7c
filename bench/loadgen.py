"""The HTTP load generator: one client *process*, run as `python -m bench.loadgen JOB.json`.

The benchmarks over HTTP start several of these next to gunicorn, so the clients never share
an interpreter (or its GIL) with the server they measure, nor with each other. A process
imports nothing of Django: it speaks plain HTTP/1.1 with keep-alive over asyncio streams and
prints one JSON document of results on stdout.

A job (JSON) holds the server's address, the wall-clock moment all processes start together
(`start_at`), the requests (method, path, headers, body, expected status, label) and a mode:

- `closed`: `connections` keep-alive connections, each sending its next request as soon as
  the last answer arrived, for `duration` seconds (`once`: each request exactly once, the
  list shared out between the connections, e.g. every person seen for the first time);
- `open`: requests started at a steady `rate` per second whatever the server's pace, over a
  pool of up to `connections` connections; a request's latency counts from its scheduled
  moment, so a server falling behind shows in the figures (no coordinated omission).

Results per label: latencies (ms) of the requests answered with the expected status, the
count of other statuses, and connection errors (refused, reset, timed out) apart.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import defaultdict

# How long a client waits for one answer, connecting included, before it gives up and counts
# a connection error. A person who clicked gives up well before a browser would; and a rush's
# figures must say when people were left waiting, not wait for the server however long.
TIMEOUT_SECONDS = 30.0


class Connection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> int:
        """Send one request; return the status once the whole body is read."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(raw)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def encode(request: dict, host: str) -> bytes:
    body = (request.get("body") or "").encode()
    lines = [f"{request.get('method', 'GET')} {request['path']} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in request.get("headers", {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Results:
    def __init__(self):
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.bad_status: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.connection_errors: dict[str, list[str]] = defaultdict(list)
        # An open loop's answers in time: (seconds from its start when the request was due,
        # latency in ms), to show how a run develops (a cold start, a queue that drains).
        self.timeline: list[tuple[float, float]] = []
        self.began: float | None = None

    def gave_up(self, request: dict) -> None:
        """A request never sent: no connection came free within TIMEOUT_SECONDS of its moment."""
        self.connection_errors[request.get("label", request["path"])].append("GaveUpWaiting")

    async def one(
        self,
        conn: Connection,
        request: dict,
        raw: bytes,
        since: float,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        label = request.get("label", request["path"])
        if timeout <= 0:
            self.gave_up(request)
            return
        try:
            status = await asyncio.wait_for(conn.request(raw), timeout)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            conn.close()
            self.connection_errors[label].append(type(exc).__name__)
            return
        if status == request.get("expect", 200):
            latency = (time.perf_counter() - since) * 1000
            self.latencies[label].append(latency)
            if self.began is not None:
                self.timeline.append((round(since - self.began, 3), round(latency, 1)))
        else:
            self.bad_status[label][str(status)] += 1

    def as_dict(self, elapsed: float) -> dict:
        return {
            "elapsed": elapsed,
            "latencies": self.latencies,
            "bad_status": self.bad_status,
            "connection_errors": self.connection_errors,
            "timeline": self.timeline,
        }


async def closed_loop(job: dict, results: Results) -> None:
    requests = job["requests"]
    host = f"{job['host']}:{job['port']}"
    raws = [encode(r, host) for r in requests]
    connections = job["connections"]
    stop_at = time.perf_counter() + job.get("duration", 0)

    async def client(index: int) -> None:
        conn = Connection(job["host"], job["port"])
        mine = list(range(index, len(requests), connections))
        if not mine:
            return
        n = 0
        while True:
            if job.get("once"):
                if n >= len(mine):
                    break
            elif time.perf_counter() >= stop_at:
                break
            k = mine[n % len(mine)]
            await results.one(conn, requests[k], raws[k], time.perf_counter())
            n += 1
        conn.close()

    await asyncio.gather(*(client(i) for i in range(connections)))


async def open_loop(job: dict, results: Results) -> None:
    requests = job["requests"]
    host = f"{job['host']}:{job['port']}"
    raws = [encode(r, host) for r in requests]
    idle: asyncio.Queue[Connection] = asyncio.Queue()
    for _ in range(job["connections"]):
        idle.put_nowait(Connection(job["host"], job["port"]))
    interval = 1.0 / job["rate"]
    total = int(job["rate"] * job["duration"])
    began = time.perf_counter()
    results.began = began
    tasks = []

    async def send(k: int, scheduled: float) -> None:
        # A person waits TIMEOUT_SECONDS from the moment they clicked, however long of it is
        # spent waiting for a free connection: past that they have given up. Without this a
        # server that falls far behind would keep the client draining its backlog for minutes.
        waited = time.perf_counter() - scheduled
        try:
            conn = await asyncio.wait_for(idle.get(), max(0.0, TIMEOUT_SECONDS - waited))
        except TimeoutError:
            results.gave_up(requests[k])
            return
        try:
            remaining = TIMEOUT_SECONDS - (time.perf_counter() - scheduled)
            await results.one(conn, requests[k], raws[k], scheduled, timeout=remaining)
        finally:
            idle.put_nowait(conn)

    for n in range(total):
        scheduled = began + n * interval
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(n % len(requests), scheduled)))
    await asyncio.gather(*tasks)
    while not idle.empty():
        idle.get_nowait().close()


def main(path: str) -> None:
    with open(path, encoding="utf-8") as handle:
        job = json.load(handle)
    delay = job.get("start_at", 0) - time.time()
    if delay > 0:
        time.sleep(delay)
    results = Results()
    began = time.perf_counter()
    runner = open_loop if job["mode"] == "open" else closed_loop
    asyncio.run(runner(job, results))
    json.dump(results.as_dict(time.perf_counter() - began), sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
