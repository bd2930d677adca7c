"""What is removed from posts before any analysis: people's names, email addresses, phone
numbers and employee IDs, and the Markdown around the words.

Names come from the people app: every employee's full name ("Ada Lovelace", in any case),
and the first and last names on their own of the circle's members and facilitators, the
people a post is most likely to mention ("thanks Ada"). Over-redacting a word that happens
to be a name is the safe side of the trade.
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


class Redactor:
    def __init__(
        self, *, full_names: Iterable[str], names: Iterable[str], employee_ids: Iterable[str]
    ):
        self.full_names = {tuple(n.lower().split()) for n in full_names if len(n.split()) >= 2}
        self.longest = max((len(n) for n in self.full_names), default=0)
        self.names = {n.lower() for n in names if len(n) >= 2}
        self.employee_ids = {i.lower() for i in employee_ids if i}

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
            if word[0].isupper() and base in self.names:
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


def redactor_for(*, member_ids: Iterable[int]) -> Redactor:
    """A redactor knowing every employee's full name and ID, and the members' own names."""
    people = (
        User.objects.filter(is_active=True)
        .exclude(last_name="")
        .values_list("first_name", "last_name")
    )
    members = User.objects.filter(pk__in=list(member_ids)).values_list("first_name", "last_name")
    return Redactor(
        full_names=(f"{first} {last}" for first, last in people),
        names=(name for pair in members for name in pair if name),
        employee_ids=Employee.objects.values_list("employee_id", flat=True),
    )
