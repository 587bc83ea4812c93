"""What every template may say about the vocabularies, so that none retypes their labels."""

from outcomes.models import FollowUpStatus, Status
from outcomes.models.choices import labels_of


def vocabulary(request) -> dict:
    """closed_statuses (“implemented, reversed or superseded”: an outcome's deadline no longer
    counts), pending_follow_ups (“scheduled or postponed”: a follow-up still expected) and
    final_follow_ups (“held or cancelled”), in running text. No query."""
    return {
        "closed_statuses": labels_of(Status, Status.closed()),
        "pending_follow_ups": labels_of(FollowUpStatus, FollowUpStatus.pending()),
        "final_follow_ups": labels_of(FollowUpStatus, FollowUpStatus.final()),
    }
