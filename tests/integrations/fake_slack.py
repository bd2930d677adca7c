"""A local stand-in for Slack's Web API and an incoming webhook, on 127.0.0.1.

slack_sdk's WebClient is pointed at it (`WebClient(base_url=…)` through SLACK_API_URL), so
the real client code runs against real HTTP. It answers the methods the portal calls
(chat.postMessage, conversations.info, conversations.join, users.info), records what it
was sent, and can be told to fail the next calls (a 500, or Slack's rate limit).
"""

import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# The slack session's port range; each server takes the first free port in it.
PORTS = range(8810, 8850)


class FakeSlack:
    def __init__(self):
        self.lock = threading.Lock()
        self.posts: list[dict] = []
        self.webhook_posts: list[dict] = []
        self.calls: list[str] = []
        self.channels: dict[str, dict] = {}
        self.users: dict[str, str] = {}
        self.failures: list[tuple[int, str, dict]] = []
        self._ts = itertools.count(1)
        self.server = self._bind()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _bind(self) -> ThreadingHTTPServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake._handle(self)

            def do_POST(self):
                fake._handle(self)

        for port in PORTS:
            try:
                return ThreadingHTTPServer(("127.0.0.1", port), Handler)
            except OSError:
                continue
        raise RuntimeError("No free port for the fake Slack in 8810-8849")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/services/T000/B000/secret"

    def start(self) -> "FakeSlack":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add_channel(self, channel_id: str, name: str, *, is_member: bool = True) -> None:
        self.channels[channel_id] = {"id": channel_id, "name": name, "is_member": is_member}

    def add_user(self, user_id: str, email: str) -> None:
        self.users[user_id] = email

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 500,
        error: str = "internal_error",
        headers: dict | None = None,
    ) -> None:
        with self.lock:
            self.failures += [(status, error, headers or {})] * count

    # --- the server side ----------------------------------------------------------------

    def _params(self, handler) -> dict:
        query = {k: v[0] for k, v in parse_qs(urlsplit(handler.path).query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        if not raw:
            return query
        if "json" in (handler.headers.get("Content-Type") or ""):
            return {**query, **json.loads(raw)}
        return {**query, **{k: v[0] for k, v in parse_qs(raw.decode()).items()}}

    def _reply(self, handler, status: int, body, headers: dict | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header(
            "Content-Type", "application/json" if status < 300 or body else "text/plain"
        )
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _handle(self, handler) -> None:
        path = urlsplit(handler.path).path
        params = self._params(handler)
        with self.lock:
            self.calls.append(path)
            failure = self.failures.pop(0) if self.failures else None
        if failure:
            status, error, headers = failure
            return self._reply(handler, status, {"ok": False, "error": error}, headers)
        if path.startswith("/services/"):
            with self.lock:
                self.webhook_posts.append(params)
            return self._reply(handler, 200, b"ok")
        method = path.removeprefix("/api/")
        if handler.headers.get("Authorization") != "Bearer xoxb-test-token":
            return self._reply(handler, 200, {"ok": False, "error": "invalid_auth"})
        if method == "chat.postMessage":
            if params.get("channel") not in self.channels:
                return self._reply(handler, 200, {"ok": False, "error": "channel_not_found"})
            with self.lock:
                ts = f"1700000000.{next(self._ts):06d}"
                self.posts.append({**params, "ts": ts})
            return self._reply(handler, 200, {"ok": True, "channel": params["channel"], "ts": ts})
        if method in ("conversations.info", "conversations.join"):
            channel = self.channels.get(params.get("channel"))
            if channel is None:
                return self._reply(handler, 200, {"ok": False, "error": "channel_not_found"})
            if method == "conversations.join":
                channel["is_member"] = True
            return self._reply(handler, 200, {"ok": True, "channel": channel})
        if method == "users.info":
            email = self.users.get(params.get("user"))
            if email is None:
                return self._reply(handler, 200, {"ok": False, "error": "user_not_found"})
            user = {"id": params["user"], "profile": {"email": email}}
            return self._reply(handler, 200, {"ok": True, "user": user})
        return self._reply(handler, 200, {"ok": False, "error": "unknown_method"})
