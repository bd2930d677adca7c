"""Notion's API for the pages the portal writes, as an httpx.MockTransport: pages are kept
in memory and every request is recorded, so tests see exactly what Notion was asked."""

import json
import uuid

import httpx


class FakeNotion:
    def __init__(self):
        self.pages: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []
        self.parents = {"1f2e3d4c5b6a79881f2e3d4c5b6a7988": "Learning circles"}
        self.fail_next: list[int] = []
        self.transport = httpx.MockTransport(self.handle)

    def add_parent(self, parent_id: str, title: str) -> None:
        self.parents[parent_id.replace("-", "")] = title

    def _json(self, status: int, body: dict) -> httpx.Response:
        return httpx.Response(status, json=body)

    def _error(self, status: int, code: str) -> httpx.Response:
        return self._json(
            status, {"object": "error", "status": status, "code": code, "message": code}
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/v1/")
        self.requests.append((request.method, path))
        assert request.headers["Authorization"] == "Bearer ntn_test_token"
        assert request.headers["Notion-Version"]
        if self.fail_next:
            return self._error(self.fail_next.pop(0), "service_unavailable")
        body = json.loads(request.content) if request.content else {}
        parts = path.split("/")
        if request.method == "POST" and path == "pages":
            parent = body["parent"].get("page_id") or body["parent"].get("database_id")
            if parent.replace("-", "") not in self.parents:
                return self._error(404, "object_not_found")
            page_id = str(uuid.uuid4())
            title = body["properties"]["title"]["title"][0]["text"]["content"]
            self.pages[page_id] = {
                "parent": parent,
                "title": title,
                "markdown": body["markdown"],
                "in_trash": False,
            }
            return self._json(
                200,
                {
                    "object": "page",
                    "id": page_id,
                    "url": f"https://www.notion.so/{page_id.replace('-', '')}",
                },
            )
        if parts[0] == "pages" and len(parts) >= 2:
            page_id = parts[1]
            if page_id.replace("-", "") in self.parents and request.method == "GET":
                title = self.parents[page_id.replace("-", "")]
                return self._json(
                    200,
                    {
                        "object": "page",
                        "id": page_id,
                        "properties": {
                            "title": {"type": "title", "title": [{"plain_text": title}]}
                        },
                    },
                )
            page = self.pages.get(page_id)
            if page is None:
                return self._error(404, "object_not_found")
            if len(parts) == 3 and parts[2] == "markdown" and request.method == "PATCH":
                assert body["type"] == "replace_content"
                page["markdown"] = body["replace_content"]["new_str"]
                return self._json(200, {"object": "page_markdown", "id": page_id})
            if request.method == "PATCH":
                if "in_trash" in body:
                    page["in_trash"] = body["in_trash"]
                if "properties" in body:
                    title = body["properties"]["title"]["title"][0]["text"]["content"]
                    page["title"] = title
                return self._json(
                    200, {"object": "page", "id": page_id, "in_trash": page["in_trash"]}
                )
        if parts[0] == "databases" and request.method == "GET":
            title = self.parents.get(parts[1].replace("-", ""))
            if title is None:
                return self._error(404, "object_not_found")
            return self._json(
                200, {"object": "database", "id": parts[1], "title": [{"plain_text": title}]}
            )
        return self._error(400, "invalid_request_url")
