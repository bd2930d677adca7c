"""The widget's endpoints: the iframe fragment, click-through, dismiss, suggest to team, JSON.

Split by job: `frame` (the fragment for the iframe), `actions` (click, dismiss, suggest),
`api` (JSON and scripts), `pages` (the team and embed pages of the portal itself).
"""

from .actions import dismiss, dismiss_with_token, go, suggest_to_team, suggest_to_team_with_token
from .api import api_suggestions, embed_js, frame_js
from .frame import NOTICE_SUGGESTED, NOTICES, frame_css, suggested
from .pages import embed_admin, team

__all__ = [
    "NOTICES",
    "NOTICE_SUGGESTED",
    "api_suggestions",
    "dismiss",
    "dismiss_with_token",
    "embed_admin",
    "embed_js",
    "frame_css",
    "frame_js",
    "go",
    "suggest_to_team",
    "suggest_to_team_with_token",
    "suggested",
    "team",
]
