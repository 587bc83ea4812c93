"""What every public page shares: the as-of date (what was true then), the known-at date
(what the tracker had published by then), paging, notices about bad input, and who the reader
is: signed-in staff see drafts, marked; everyone else published records only.

Bad input never raises: it is ignored with a notice that says what was wrong, and the page is
shown as if the parameter had not been given.
"""

import datetime
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from core.params import BadValue, parse_date, parse_page
from core.publishing import can_see_drafts

MAX_QUERY_LENGTH = 200


class PageContext:
    """Collects notices for one request; views put `notices` into the template context."""

    def __init__(self, request):
        self.request = request
        self.notices: list[str] = []
        # The same problems with the parameters, without what the page does instead: for the
        # API, which refuses rather than showing something else.
        self.problems: list[str] = []
        self._requested_pages: dict[str, int] = {}
        self._asked: dict[str, str] = {}
        self.as_of = self.read_date("as_of", "the as-of date", "Showing today’s status instead.")
        self.known_on = self.read_date(
            "known_at", "the known-at date", "Showing what the tracker publishes today instead."
        )

    def read_date(self, name: str, what: str, instead: str) -> datetime.date | None:
        """A date parameter (core.params.parse_date, not after today), or None if not given
        or (with a notice that ends with `instead`) not valid."""
        raw = self.request.GET.get(name, "").strip()
        if not raw:
            return None
        try:
            return parse_date(raw, what, not_after_today=True)
        except BadValue as error:
            self.problems.append(str(error))
            self.notices.append(f"{error} {instead}")
            return None

    @cached_property
    def known_at(self) -> datetime.datetime | None:
        """The end of the known-at day, in the site's time: the tracker as it stood then."""
        if self.known_on is None:
            return None
        end = datetime.datetime.combine(self.known_on, datetime.time.max)
        return timezone.make_aware(end)

    @cached_property
    def show_drafts(self) -> bool:
        """Signed-in staff see drafts, marked; everyone else published records only; and
        nobody, on a page as the tracker showed it on a past day. Worked out when first
        needed: exports and feeds never ask."""
        return self.known_at is None and can_see_drafts(self.request.user)

    @property
    def status_on(self) -> datetime.date | None:
        """The date statuses are shown for, if not today: the as-of date, or the known-at
        date (a page as the tracker showed it that day shows the statuses of that day)."""
        return self.as_of or self.known_on

    @property
    def status_date(self) -> datetime.date:
        """The date statuses are shown for: status_on, or today."""
        return self.status_on or timezone.localdate()

    def text(self, name: str) -> str:
        """A free-text parameter, trimmed to a sane length."""
        value = self.request.GET.get(name, "").strip()
        if len(value) > MAX_QUERY_LENGTH:
            self.notices.append(
                f"The search text was cut to its first {MAX_QUERY_LENGTH} characters."
            )
            value = value[:MAX_QUERY_LENGTH]
        return value

    def paginate(self, items, per_page: int, count: int | None = None, param: str = "page") -> Page:
        """The requested page of items; count, if known already, saves counting them. A page
        holding several paged lists gives each its own parameter (?summits=2), which the
        notices about a bad number name, and the page's previous_url and next_url (for
        includes/pagination.html) change alone."""
        of = "" if param == "page" else f" of {param}"
        paginator = Paginator(items, per_page)
        if count is not None:
            paginator.count = count  # a cached_property: this replaces the COUNT query
        number = self.requested_page(param)
        if number < 1 or number > paginator.num_pages:
            self.notices.append(
                f"There is no page {self._asked[param]}{of}; showing page "
                f"{1 if number < 1 else paginator.num_pages} of {paginator.num_pages}."
            )
            number = min(max(number, 1), paginator.num_pages)
        page = paginator.page(number)
        page.previous_url = page.has_previous() and self._with(param, page.previous_page_number())
        page.next_url = page.has_next() and self._with(param, page.next_page_number())
        return page

    def requested_page(self, param: str = "page") -> int:
        """The page number asked for in param (core.params.parse_page): 1 if none, or (with
        a notice) if it is not a whole number. paginate() keeps it within the pages there
        are, and its notice quotes what was asked."""
        if param not in self._requested_pages:
            raw = self.request.GET.get(param, "").strip() or "1"
            try:
                number = parse_page(raw)
            except BadValue as error:
                of = "" if param == "page" else f" of {param}"
                self.notices.append(f"{error}{of}; showing the first page.")
                number = 1
            self._requested_pages[param] = number
            self._asked[param] = raw[:25]
        return self._requested_pages[param]

    def _with(self, param: str, value) -> str:
        """This page's address with one parameter changed, as {% querystring %} gives it."""
        query = self.request.GET.copy()
        query[param] = value
        return f"?{query.urlencode()}"

    def not_found(self, model, **lookup):
        """The answer for a record the reader may not see: a 404 as if it did not exist,
        but for a record public now that was not yet public on the known-at day, a 404 that
        says so and links to the record as published today."""
        if self.known_at is not None:
            record = model.objects.public().filter(**lookup).first()
            if record is not None:
                return render(
                    self.request,
                    "site/not_public_then.html",
                    self.context(record=record, kind=model._meta.verbose_name),
                    status=404,
                )
        raise Http404(f"No {model._meta.verbose_name} is shown at this address.")

    def context(self, **extra) -> dict:
        return {
            "as_of": self.as_of,
            "known_on": self.known_on,
            "notices": self.notices,
            "show_drafts": self.show_drafts,
            **extra,
        }
