"""The desk's forms: recording a status update and a follow-up's change, outside the admin.

The rules themselves live on the models (StatusUpdate.clean, FollowUpChange.clean) and the
services that record them (outcomes.services); these forms collect the input, cite sources,
and put the models' errors next to the fields.
"""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from actors.models import Source, SourceKind
from core.changes import changes
from core.concurrency import VersionedFormMixin
from core.dates import DatePrecision
from core.params import IsoDateField, ModelChoiceField, ModelMultipleChoiceField, WholeNumberField
from outcomes.models import FollowUp, FollowUpChange, FollowUpStatus, Outcome, StatusUpdate
from outcomes.services import plan_follow_up_change, save_status_update
from summits.models import Summit


def sources_near(outcome: Outcome, *extra: Q):
    """Sources already cited by an outcome, its summit or its status updates (and by any
    extra condition): the ones an editor most likely cites again."""
    cited = Q(outcomes=outcome) | Q(summits=outcome.summit_id) | Q(status_updates__outcome=outcome)
    for condition in extra:
        cited |= condition
    # pk__in rather than distinct(): the joins above repeat a source once per citation.
    return Source.objects.filter(pk__in=Source.objects.filter(cited).values("pk")).order_by("title")


def unique_source_slug(title: str, url: str) -> str:
    """A slug from the title (or the address), made unique with a number if taken."""
    base = (slugify(title) or slugify(url) or "source")[:100].strip("-") or "source"
    taken = set(Source.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


class SourceChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, source: Source) -> str:
        details = [detail for detail in (source.publisher, source.published_display) if detail]
        return f"{source.title} ({', '.join(details)})" if details else source.title


class CitesSourcesMixin:
    """The three ways to cite sources on a desk form: tick sources already cited nearby, name
    another existing source by its slug or address, or add a new one by address and title.

    After cleaning, `cited` holds the existing sources and `new_source` an unsaved Source
    (or None); save_sources() creates the new one, inside the caller's transaction, so that
    it exists only if the whole form is saved.
    """

    sources_required = False

    @property
    def has_field_errors(self) -> bool:
        return any(name != NON_FIELD_ERRORS for name in self.errors)

    def add_source_fields(self, candidates) -> None:
        self.fields["sources"] = SourceChoiceField(
            queryset=candidates,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label="Sources already cited for this outcome",
        )
        self.fields["existing_source"] = forms.CharField(
            required=False,
            max_length=500,
            label="Another existing source",
            help_text="Its slug or its address (URL), exactly as recorded.",
        )
        self.fields["new_source_url"] = forms.URLField(
            required=False,
            max_length=500,
            assume_scheme="https",
            label="New source: address (URL)",
        )
        self.fields["new_source_title"] = forms.CharField(
            required=False, max_length=300, label="New source: title"
        )
        self.fields["new_source_kind"] = forms.ChoiceField(
            choices=SourceKind.choices,
            initial=SourceKind.NEWS,
            label="New source: kind",
            help_text="Its publisher and date can be added in the admin later.",
        )

    def clean_existing_source(self) -> Source | None:
        text = self.cleaned_data["existing_source"].strip()
        if not text:
            return None
        source = Source.objects.filter(Q(slug=text) | Q(url=text)).order_by("pk").first()
        if source is None:
            raise ValidationError(
                f"No source has the slug or address “{text[:100]}”. Check it, or add it "
                "as a new source below."
            )
        return source

    def clean_sources_given(self, cleaned_data: dict) -> None:
        self.cited = list(cleaned_data.get("sources") or [])
        if cleaned_data.get("existing_source"):
            self.cited.append(cleaned_data["existing_source"])
        self.new_source = None
        url = cleaned_data.get("new_source_url", "")
        title = cleaned_data.get("new_source_title", "").strip()
        if url and not title:
            # One already recorded at this address is cited as it is, not duplicated.
            known = Source.objects.filter(url=url).order_by("pk").first()
            if known is None:
                self.add_error("new_source_title", "Give the new source’s title.")
            else:
                self.cited.append(known)
        elif title and not url and "new_source_url" not in self.errors:
            self.add_error("new_source_url", "Give the new source’s address.")
        elif url and title:
            known = Source.objects.filter(url=url).order_by("pk").first()
            if known is not None:
                self.cited.append(known)
            else:
                self.new_source = Source(
                    title=title,
                    url=url,
                    kind=cleaned_data.get("new_source_kind") or SourceKind.OTHER,
                    slug=unique_source_slug(title, url),
                    published_on=None,
                    published_on_precision=DatePrecision.UNKNOWN,
                )
                try:
                    self.new_source.full_clean()
                except ValidationError as error:
                    self.new_source = None
                    self.add_error("new_source_url", error.messages)
        if (
            self.sources_required
            and not self.cited
            and self.new_source is None
            and not self.has_error("existing_source")
            and not self.has_error("new_source_url")
            and not self.has_error("new_source_title")
        ):
            self.add_error(
                "sources",
                "Cite at least one source: tick one, name an existing one, or add a new one "
                "by its address and title.",
            )

    def save_sources(self) -> list[Source]:
        sources = list(dict.fromkeys(self.cited))  # each once, in the order given
        if self.new_source is not None:
            self.new_source.save()
            sources.append(self.new_source)
        return sources


def publish_now_field() -> forms.BooleanField:
    """For a user who may publish: skip the draft stage."""
    return forms.BooleanField(
        required=False,
        label="Publish now",
        help_text="Leave unticked to save it as a draft for review.",
    )


def date_input() -> forms.DateInput:
    # The ISO format is what <input type="date"> sends and expects back.
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class UpdateChoiceField(ModelChoiceField):
    def label_from_instance(self, update: StatusUpdate) -> str:
        return f"{update.effective_display}: {update.get_status_display()}"


class PartyChoiceField(ModelChoiceField):
    def label_from_instance(self, party) -> str:
        return f"{party.actor.display_name}’s side ({party.get_role_display().lower()})"


class StatusUpdateForm(CitesSourcesMixin, forms.ModelForm):
    """A new entry in an outcome's status history. Pass the outcome, and whether the user may
    publish: only then is there a "publish now" box (otherwise the entry is a draft)."""

    sources_required = True

    effective_date = IsoDateField(
        not_after_today=True,
        what="the effective date",
        label=StatusUpdate._meta.get_field("effective_date").verbose_name.capitalize(),
        help_text=StatusUpdate._meta.get_field("effective_date").help_text,
        widget=date_input(),
    )
    progress = WholeNumberField(
        label="Progress (%)",
        required=False,
        min_value=0,
        max_value=100,
        help_text=StatusUpdate._meta.get_field("progress").help_text,
        error_messages={
            "min_value": "Progress is a percentage, from 0 to 100.",
            "max_value": "Progress is a percentage, from 0 to 100.",
        },
    )

    class Meta:
        model = StatusUpdate
        fields = [
            "party",
            "status",
            "effective_date",
            "effective_date_precision",
            "summary",
            "progress",
            "corrects",
        ]
        field_classes = {"corrects": UpdateChoiceField, "party": PartyChoiceField}
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, outcome: Outcome, can_publish: bool, **kwargs):
        super().__init__(*args, instance=StatusUpdate(outcome=outcome), **kwargs)
        self.fields["effective_date"].widget.attrs["max"] = timezone.localdate().isoformat()
        # Only an entry that still counts can be corrected, and only once.
        self.fields["corrects"].queryset = (
            outcome.status_updates.published().filter(corrected_by__isnull=True).latest_first()
        )
        self.fields["corrects"].empty_label = "Nothing: this is a new entry"
        # One of the outcome's own parties, responsible ones first; or the whole outcome.
        self.fields["party"].queryset = outcome.parties.select_related("actor").order_by(
            "role", "actor__name"
        )
        self.fields["party"].empty_label = "The whole outcome (sets its status)"
        self.add_source_fields(sources_near(outcome))
        if can_publish:
            self.fields["publish_now"] = publish_now_field()

    def clean(self):
        cleaned_data = super().clean()
        self.clean_sources_given(cleaned_data)
        return cleaned_data

    def save(self, user) -> StatusUpdate:
        # One change: a new source is kept only if the entry is recorded.
        with changes():
            return save_status_update(
                super().save(commit=False),
                user=user,
                sources=self.save_sources(),
                publish=bool(self.cleaned_data.get("publish_now")),
            )


class FollowUpChangeForm(VersionedFormMixin, CitesSourcesMixin, forms.Form):
    """Mark a follow-up held, missed, postponed or cancelled (outcomes.services.
    record_follow_up_change), citing at least one source: a draft, unless a user who may
    publish ticks "publish now".

    It carries the follow-up's version: a change saved by someone else since the form was
    loaded is refused, with their changes listed and this input kept (VersionedFormMixin).
    """

    sources_required = True

    status = forms.ChoiceField(
        label="Mark it as",
        choices=[("", "---------"), *FollowUpChange.STATUSES],
    )
    date = IsoDateField(
        required=False,
        widget=date_input(),
        help_text="Held: the day it was held. Postponed: the new date. Otherwise leave empty.",
    )
    date_precision = forms.ChoiceField(
        label="Date precision",
        choices=[c for c in DatePrecision.choices if c[0] != DatePrecision.UNKNOWN],
        initial=DatePrecision.DAY,
    )
    resulting_summit = ModelChoiceField(
        queryset=Summit.objects.order_by("-start_date", "name"),
        required=False,
        label="Resulting summit",
        help_text="Held only: the summit record it became, if there is one.",
    )
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What happened, and why, if known.",
    )

    def __init__(self, *args, instance: FollowUp, can_publish: bool = False, **kwargs):
        self.instance = instance  # VersionedFormMixin reads its version
        super().__init__(*args, **kwargs)
        self.add_source_fields(
            sources_near(instance.outcome, Q(follow_ups=instance)),
        )
        if can_publish:
            self.fields["publish_now"] = publish_now_field()

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("resulting_summit") and cleaned_data.get("status") != (
            FollowUpStatus.HELD
        ):
            self.add_error(
                "resulting_summit", "Only a follow-up that was held has a resulting summit."
            )
        self.clean_sources_given(cleaned_data)
        if cleaned_data.get("status") and not self.has_error("date"):
            # The change's own rules, with the form's other errors: all shown at once.
            try:
                plan_follow_up_change(
                    self.instance,
                    status=cleaned_data["status"],
                    date=cleaned_data.get("date"),
                    date_precision=cleaned_data.get("date_precision") or DatePrecision.DAY,
                    resulting_summit=cleaned_data.get("resulting_summit"),
                )
            except ValidationError as error:
                self.add_model_errors(error)
        return cleaned_data

    def add_model_errors(self, error: ValidationError) -> None:
        """Put record_change's errors next to the fields they are about."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)
