import pytest

from learning_portal.core.csvfiles import yes_no


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("yes", True),
        (" TRUE ", True),
        ("Y", True),
        ("1", True),
        ("no", False),
        ("False", False),
        ("n", False),
        ("0", False),
        ("", None),
        ("   ", None),
        ("maybe", None),
        ("2", None),
    ],
)
def test_yes_no_reads_the_words_every_import_accepts(value, expected):
    assert yes_no(value) is expected
