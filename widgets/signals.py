from .identity import allowed_origins


def cors_allow_placements(sender, request, **kwargs) -> bool:
    """django-cors-headers asks per request: only active placements' origins may call the API."""
    if not request.path.startswith("/widgets/api/"):
        return False
    origin = request.headers.get("origin", "")
    return origin in allowed_origins()
