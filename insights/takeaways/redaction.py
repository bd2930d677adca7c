"""What is removed from posts before any analysis: people's names, email addresses, phone
numbers and employee IDs, and the Markdown around the words.

Names come from the people app: every employee's full name ("Ada Lovelace", in any case),
staff who have left included, and the first and last names on their own of the circle's
members, facilitators and past posters, the people a post is most likely to mention
("thanks Ada", "thanks ada"), also in any case. Over-redacting a word that happens to be a
name is the safe side of the trade. Names the portal does not know (a patient's, a
relative's) are not recognised: the notices to members say so.
"""

import re
from collections.abc import Iterable

from people.models import Employee, User

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"https?://\S+|www\.\S+")
# Nine or more digits with the separators phone numbers are written with.
PHONE = re.compile(r"(?<![\w+])\+?\(?\d(?:[\s().-]*\d){8,}(?!\w)")
MENTION = re.compile(r"(?<![\w@])@[\w][\w.-]*")
TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{2,}")
NAME_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
MARKDOWN = (
    (re.compile(r"```.*?```", re.S), " "),
    (re.compile(r"`[^`]*`"), " "),
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"^\s{0,3}(?:#{1,6}|>|[-*+]|\d+[.)])\s+", re.M), ""),
    (re.compile(r"[*_~]{1,3}"), ""),
)

NAME, EMAIL_MARK, PHONE_MARK, ID_MARK = "[name]", "[email]", "[phone]", "[id]"
PLACEHOLDERS = (NAME, EMAIL_MARK, PHONE_MARK, ID_MARK)


def plain_text(markdown: str) -> str:
    text = markdown
    for pattern, replacement in MARKDOWN:
        text = pattern.sub(replacement, text)
    return text


class StaffNames:
    """Every employee's full name and employee ID, prepared for matching. Reading them is one
    pass over the whole staff: build it once per run and share it between circles."""

    def __init__(self, *, full_names: Iterable[str], employee_ids: Iterable[str]):
        self.full_names = {tuple(n.lower().split()) for n in full_names if len(n.split()) >= 2}
        self.longest = max((len(n) for n in self.full_names), default=0)
        self.employee_ids = {i.lower() for i in employee_ids if i}


class Redactor:
    def __init__(
        self,
        *,
        names: Iterable[str],
        full_names: Iterable[str] = (),
        employee_ids: Iterable[str] = (),
        staff: StaffNames | None = None,
    ):
        staff = staff or StaffNames(full_names=full_names, employee_ids=employee_ids)
        self.full_names = staff.full_names
        self.longest = staff.longest
        self.employee_ids = staff.employee_ids
        self.names = {n.lower() for n in names if len(n) >= 2}

    def _names(self, text: str) -> str:
        words = list(NAME_WORD.finditer(text))
        spans = []
        i = 0
        while i < len(words):
            matched = 0
            # The longest full name starting at this word (they are 2 to `longest` words).
            for size in range(min(self.longest, len(words) - i), 1, -1):
                key = tuple(w.group().lower() for w in words[i : i + size])
                if key in self.full_names:
                    matched = size
                    break
            if matched:
                spans.append((words[i].start(), words[i + matched - 1].end()))
                i += matched
                continue
            word = words[i].group()
            base = word.lower().removesuffix("'s").removesuffix("’s")
            if base in self.names:
                spans.append((words[i].start(), words[i].end()))
            i += 1
        for start, end in reversed(spans):
            text = text[:start] + NAME + text[end:]
        return text

    def redact(self, text: str) -> str:
        text = plain_text(text)
        text = EMAIL.sub(EMAIL_MARK, text)
        text = URL.sub(" ", text)
        text = MENTION.sub(NAME, text)
        text = PHONE.sub(PHONE_MARK, text)
        if self.employee_ids:
            text = TOKEN.sub(
                lambda m: ID_MARK if m.group().lower() in self.employee_ids else m.group(), text
            )
        return self._names(text)


def staff_names() -> StaffNames:
    """Every employee's full name (those who have left too: colleagues still name them) and
    every employee ID."""
    people = User.objects.exclude(last_name="").values_list("first_name", "last_name")
    return StaffNames(
        full_names=(f"{first} {last}" for first, last in people.iterator()),
        employee_ids=Employee.objects.values_list("employee_id", flat=True).iterator(),
    )


def redactor_for(*, member_ids: Iterable[int], staff: StaffNames | None = None) -> Redactor:
    """A redactor knowing every employee's full name and ID (`staff`, read now if not
    given), and the members' own first and last names."""
    members = User.objects.filter(pk__in=list(member_ids)).values_list("first_name", "last_name")
    return Redactor(
        names=(name for pair in members for name in pair if name),
        staff=staff or staff_names(),
    )
