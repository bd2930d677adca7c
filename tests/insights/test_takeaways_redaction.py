"""What is removed from posts before analysis."""

import pytest

from insights.takeaways.redaction import Redactor, redactor_for
from tests.people.factories import EmployeeFactory


@pytest.fixture
def redactor():
    return Redactor(
        full_names=["Ada Lovelace", "Mary Anne Evans"],
        names=["Ben", "Okafor"],
        employee_ids=["E000123", "hr-77"],
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thanks ada lovelace!", "Thanks [name]!"),
        ("Mary Anne Evans wrote it", "[name] wrote it"),
        ("Ben's point and Okafor's", "[name] point and [name]"),
        # Chat is written in lower case as often as not.
        ("thanks ben, and okafor's too", "thanks [name], and [name] too"),
        ("mail ada@example.org now", "mail [email] now"),
        ("call +44 (0)20 7946 0958 today", "call [phone] today"),
        ("or 07700-900-123.", "or [phone]."),
        ("my ID is E000123 and HR-77", "my ID is [id] and [id]"),
        ("ping @ben.o please", "ping [name] please"),
        ("**Bold** and [a link](https://x.example/y) and `code`", "Bold and a link and  "),
        ("Chapter 3 on 12 May, 9 people", "Chapter 3 on 12 May, 9 people"),
    ],
)
def test_names_emails_phones_and_ids_are_removed(redactor, text, expected):
    assert redactor.redact(text) == expected


@pytest.mark.django_db
def test_the_redactor_knows_every_employees_full_name_and_id_and_members_first_names():
    EmployeeFactory(user__first_name="Grace", user__last_name="Hopper", employee_id="X-1234")
    member = EmployeeFactory(user__first_name="Linus", user__last_name="Pauling").user

    redactor = redactor_for(member_ids=[member.pk])

    assert redactor.redact("Grace Hopper and Linus, ID X-1234") == "[name] and [name], ID [id]"
    # Not a member: only the full name is known, so "Grace" alone stays.
    assert redactor.redact("Grace said") == "Grace said"


@pytest.mark.django_db
def test_staff_who_have_left_are_still_redacted_by_full_name():
    EmployeeFactory(user__first_name="Rosalind", user__last_name="Franklin", user__is_active=False)

    redactor = redactor_for(member_ids=[])

    assert redactor.redact("as rosalind franklin used to say") == "as [name] used to say"
