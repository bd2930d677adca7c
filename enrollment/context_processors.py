from django.urls import reverse


def nav(request):
    """The "My learning" link in the main navigation, for signed-in people."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"my_learning_url": reverse("enrollment:my_learning")}
