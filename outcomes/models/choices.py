"""The vocabularies of outcomes, their status, their parties and their follow-ups."""

from django.db import models

# What an outcome shows before its first status entry: one label, wherever it appears.
NO_STATUS_LABEL = "No status recorded"


def join_or(words: list[str]) -> str:
    """“a, b or c”."""
    return " or ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)


def labels_of(choices, values) -> str:
    """The labels of these values of a vocabulary, in running text: “held or cancelled”."""
    return join_or([choices(value).label.lower() for value in values])


class Status(models.TextChoices):
    """Implementation status of an outcome. Definitions are shown on the methodology page.
    The stored and annotated status is "" until a first entry is recorded."""

    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    PARTIALLY_IMPLEMENTED = "partially_implemented", "Partially implemented"
    IMPLEMENTED = "implemented", "Implemented"
    STALLED = "stalled", "Stalled"
    REVERSED = "reversed", "Reversed"
    SUPERSEDED = "superseded", "Superseded"

    @classmethod
    def closed(cls) -> list[str]:
        """Statuses after which a deadline no longer counts as overdue."""
        return [cls.IMPLEMENTED, cls.REVERSED, cls.SUPERSEDED]

    @classmethod
    def label_of(cls, value: str) -> str:
        """The name of a status value; NO_STATUS_LABEL for "" (none recorded yet)."""
        return cls(value).label if value else NO_STATUS_LABEL

    @classmethod
    def choices_with_none(cls) -> list[tuple[str, str]]:
        """Every status in vocabulary order, then "" (none recorded yet)."""
        return [*cls.choices, ("", NO_STATUS_LABEL)]


STATUS_DEFINITIONS = {
    Status.NOT_STARTED: "Agreed, but no step towards implementation has been observed yet.",
    Status.IN_PROGRESS: "Steps towards implementation are under way; nothing is in place yet.",
    Status.PARTIALLY_IMPLEMENTED: "Part of what was agreed is in place.",
    Status.IMPLEMENTED: "What was agreed is in place in full.",
    Status.STALLED: "Work began but has halted; sources report no further progress.",
    Status.REVERSED: "Withdrawn, violated or abandoned by a party.",
    Status.SUPERSEDED: "Replaced by a later commitment.",
}

# The Peace Accords Matrix scale: 0 not initiated, 1 minimal, 2 intermediate, 3 full.
# Superseded commitments are no longer scored.
STATUS_SCORES = {
    Status.NOT_STARTED: 0,
    Status.IN_PROGRESS: 1,
    Status.PARTIALLY_IMPLEMENTED: 2,
    Status.IMPLEMENTED: 3,
    Status.STALLED: 1,
    Status.REVERSED: 0,
    Status.SUPERSEDED: None,
}


class OutcomeType(models.TextChoices):
    COMMUNICATION_CHANNEL = "communication_channel", "Hotline or communication channel"
    HUMANITARIAN_FRAMEWORK = "humanitarian_framework", "Humanitarian or aid framework"
    FOLLOW_UP_TALKS = "follow_up_talks", "Follow-up talks"
    INSTITUTION = "institution", "Institution or mechanism"
    PEOPLE_TO_PEOPLE = "people_to_people", "People-to-people programme"
    SECURITY_COOPERATION = "security_cooperation", "Security or military cooperation"
    ECONOMIC_COOPERATION = "economic_cooperation", "Economic cooperation"
    DECLARATION = "declaration", "Declaration"
    OTHER = "other", "Other"


class PartyRole(models.TextChoices):
    RESPONSIBLE = "responsible", "Responsible"
    BENEFICIARY = "beneficiary", "Beneficiary"
    SUPERVISOR = "supervisor", "Supervisor or intermediary"
    GUARANTOR = "guarantor", "Guarantor"


class FollowUpKind(models.TextChoices):
    SUMMIT = "summit", "Follow-up summit"
    WORKING_GROUP_MEETING = "working_group_meeting", "Working group meeting"
    REPORT = "report", "Report or review"
    OTHER = "other", "Other"


class FollowUpStatus(models.TextChoices):
    PLANNED = "planned", "Planned"  # intended, with no date set
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    MISSED = "missed", "Missed"
    POSTPONED = "postponed", "Postponed"
    CANCELLED = "cancelled", "Cancelled"

    @classmethod
    def pending(cls) -> list[str]:
        """Still expected: a follow-up in one of these can be overdue."""
        return [cls.PLANNED, cls.SCHEDULED, cls.POSTPONED]

    @classmethod
    def final(cls) -> list[str]:
        """Nothing more can happen to a follow-up in one of these."""
        return [cls.HELD, cls.CANCELLED]
