import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...`: the block's on-commit work (the badge checks) runs at its end,
    as it would after a real commit."""

    def block():
        return django_capture_on_commit_callbacks(execute=True)

    return block
