"""Filters of the summit list (/summits/?year=&actor=&status=).

An invalid value (year=abc, an unknown actor, status=bogus) fails validation; django-filter
then leaves that filter out, and the view turns the form's errors into notices.
"""

import django_filters
from django.db.models import Exists, OuterRef

from actors.models import Actor

from .models import Participation, Summit, SummitStatus


class SummitFilter(django_filters.FilterSet):
    year = django_filters.ChoiceFilter(
        field_name="start_date",
        lookup_expr="year",
        label="Year",
        empty_label="Any year",
    )
    actor = django_filters.ChoiceFilter(
        method="filter_actor", label="Participant", empty_label="Any participant"
    )
    status = django_filters.ChoiceFilter(
        choices=SummitStatus.choices, label="Status", empty_label="Any status"
    )

    class Meta:
        model = Summit
        fields = ["year", "actor", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices are read once here (one query each) and serve both validation and the
        # <select>; a ModelChoiceFilter would query again to validate.
        years = Summit.objects.dates("start_date", "year", order="DESC")
        self.filters["year"].extra["choices"] = [(d.year, str(d.year)) for d in years]
        participants = (
            Actor.objects.filter(Exists(Participation.objects.filter(actor=OuterRef("pk"))))
            .order_by("name")
            .values_list("slug", "short_name", "name")
        )
        self.filters["actor"].extra["choices"] = [
            (slug, short_name or name) for slug, short_name, name in participants
        ]

    def filter_actor(self, queryset, name, value):
        # Exists rather than a join, so that counts annotated on the summits stay whole.
        return queryset.filter(
            Exists(Participation.objects.filter(summit=OuterRef("pk"), actor__slug=value))
        )

    def notices(self) -> list[str]:
        """One sentence per parameter that was ignored because its value is not valid."""
        labels = {"year": "year", "actor": "participant", "status": "summit status"}
        return [
            f"“{str(self.data.get(name, ''))[:40]}” is not a known {labels[name]}; "
            "that filter was ignored."
            for name in self.errors
        ]
