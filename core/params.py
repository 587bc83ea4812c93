"""Reading what a request sends: one parser for each kind of value every view, form and
export takes, with the bounds that keep it from reaching the database or date arithmetic
as something they cannot hold.

- Dates: ISO YYYY-MM-DD in ASCII digits, from EARLIEST_DATE to LATEST_DATE (or today, where
  a date in the future means nothing), so that "0001-01-01" minus a day, or a relative
  deadline six months after "9999-12-31", never overflows.
- Whole numbers: ASCII digits only ("²".isdigit() is true, int("²") fails; int("٣") is 3),
  within the bounds the caller gives, which stay inside a 64-bit integer.
- A page number: a whole number, kept within 0 to MAX_PAGE + 1.
- Where to go after a form (`next`): a path on this site, nothing else.

Each parser raises BadValue with a sentence for the reader; the caller decides whether to
ignore the value with a notice (pages), refuse the request (exports, the desk), or show the
error beside a form field.
"""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

# The tracker records diplomacy from the 19th century on (the oldest agreements it may cite);
# nothing is due, held or recorded after 2200.
EARLIEST_DATE = datetime.date(1800, 1, 1)
LATEST_DATE = datetime.date(2200, 12, 31)
MAX_PAGE = 100_000  # deeper than any list: 2,000,000 rows at 20 a page
BIGGEST_ID = 2**63 - 1  # PostgreSQL's bigint

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE = re.compile(r"[0-9]{1,19}")
_PAGE_NUMBER = re.compile(r"-?[0-9]{1,25}")
EXAMPLE_DATE = "2025-09-01"


class BadValue(ValueError):
    """A parameter's value that cannot be used; str() says why, for the reader."""


def _shown(raw: str, limit: int = 40) -> str:
    text = raw.replace("\x00", "")
    return text if len(text) <= limit else text[:limit] + "…"


def parse_date(
    raw: str,
    what: str = "the date",
    *,
    not_after_today: bool = False,
    earliest: datetime.date = EARLIEST_DATE,
    latest: datetime.date = LATEST_DATE,
) -> datetime.date:
    """A date given as YYYY-MM-DD, within the bounds (and not in the future if asked)."""
    text = raw.strip()
    if not _ISO_DATE.fullmatch(text):
        raise BadValue(
            f"“{_shown(text)}” is not a date: give {what} as YYYY-MM-DD, e.g. {EXAMPLE_DATE}."
        )
    try:
        date = datetime.date.fromisoformat(text)
    except ValueError:
        raise BadValue(f"“{text}” is not a date in the calendar.") from None
    return check_date_bounds(date, what, not_after_today, earliest, latest)


def check_date_bounds(
    date: datetime.date,
    what: str = "the date",
    not_after_today: bool = False,
    earliest: datetime.date = EARLIEST_DATE,
    latest: datetime.date = LATEST_DATE,
) -> datetime.date:
    """date, if within the tracker's bounds (and not in the future, if asked)."""
    if date < earliest:
        raise BadValue(f"{what.capitalize()} is before {earliest.year}: the tracker starts there.")
    if not_after_today and date > timezone.localdate():
        raise BadValue(f"{what.capitalize()} cannot be in the future.")
    if date > latest:
        raise BadValue(f"{what.capitalize()} is after {latest.year}.")
    return date


def parse_whole_number(raw: str, what: str = "a number", *, low: int = 0, high: int) -> int:
    """A whole number written in ASCII digits, from low to high; what names it in the
    message ("a period", "the number of a record")."""
    text = raw.strip()
    if not _WHOLE.fullmatch(text) or not low <= int(text) <= high:
        raise BadValue(f"“{_shown(text, 20)}” is not {what}")
    return int(text)


def parse_page(raw: str) -> int:
    """A page number as asked for: ASCII digits, perhaps signed, kept between 0 and
    MAX_PAGE + 1, so that a page past every page never becomes an offset the database cannot
    hold (the caller says there is no such page, quoting what was asked)."""
    text = raw.strip()
    if not _PAGE_NUMBER.fullmatch(text):
        raise BadValue(f"“{_shown(text, 20)}” is not a page number")
    return max(min(int(text), MAX_PAGE + 1), 0)


def parse_id(raw: str) -> int:
    """A record's number, as the database can hold it."""
    return parse_whole_number(raw, "the number of a record", low=1, high=BIGGEST_ID)


def safe_next(request, raw: str | None, default: str) -> str:
    """Where to go after a form: raw if it is a path on this site ("/desk/#drafts"), else
    default. A bare word, another site or a scheme ("javascript:") never passes."""
    url = (raw or "").strip()
    if (
        url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and "\x00" not in url
        and len(url) <= 2000
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return default


class IsoDateField(forms.DateField):
    """A form field for a date, read by parse_date: the one date rule for forms and filters
    too (Django's own accepts other formats and any year)."""

    def __init__(self, *args, not_after_today: bool = False, what: str = "the date", **kwargs):
        self.not_after_today, self.what = not_after_today, what
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value
        try:
            return parse_date(str(value), self.what, not_after_today=self.not_after_today)
        except BadValue as error:
            raise ValidationError(str(error), code="invalid") from None


class BoundedDateField(forms.DateField):
    """The admin's date field: the input formats of the admin's date widget (the site's
    locale), within the tracker's bounds."""

    def to_python(self, value):
        date = super().to_python(value)
        if date is not None:
            try:
                check_date_bounds(date)
            except BadValue as error:
                raise ValidationError(str(error), code="invalid") from None
        return date


class WholeNumberField(forms.IntegerField):
    """An integer form field that takes ASCII digits only, within the database's range
    unless narrower bounds are given."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -BIGGEST_ID)
        kwargs.setdefault("max_value", BIGGEST_ID)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not re.fullmatch(r"-?[0-9]{1,19}", text):
            raise ValidationError("Enter a whole number, in digits 0 to 9.", code="invalid")
        return int(text)


def _checked_ids(field, values):
    """Every value a primary-key choice field was sent, refused unless it is a record's
    number that the database can hold (Django would send "9" * 40 to the database)."""
    if field.to_field_name is not None:
        return
    for value in values:
        if value in field.empty_values or isinstance(value, field.queryset.model):
            continue
        try:
            parse_id(str(value))
        except BadValue:
            raise ValidationError(
                field.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": _shown(str(value))},
            ) from None


class ModelChoiceField(forms.ModelChoiceField):
    """Django's, refusing a value that is not a record's number before asking the database."""

    def to_python(self, value):
        _checked_ids(self, [value])
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, refusing a value that is not a record's number before asking the database."""

    def _check_values(self, value):
        if isinstance(value, (list, tuple, set, frozenset)):
            _checked_ids(self, value)
        return super()._check_values(value)
