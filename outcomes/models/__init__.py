"""Outcomes a summit agreed, who is bound by them, where they came from, their deadlines and
follow-ups, and the dated, sourced history of their status.

- choices: the vocabularies (Status, OutcomeType, PartyRole, FollowUpStatus, ...)
- deadline: fixed or relative deadlines, shared by outcomes and follow-ups
- status: the status history and the one rule for an outcome's status on a date
- follow_up: follow-ups and their dated changes
- outcome: outcomes, their parties and origins, and the pages' query-shaping methods
- claim: what actors say of an outcome's status, beside the ruling
- condition: one commitment waiting on another's step (requires, reciprocal)
- link: a commitment's life across summits (reaffirms, implements, supersedes, ...)

Changes with side effects (recording or publishing a status entry, a follow-up's change) go
through outcomes.services.
"""

from .choices import (
    NO_STATUS_LABEL,
    STATUS_DEFINITIONS,
    STATUS_SCORES,
    FollowUpKind,
    FollowUpStatus,
    OutcomeType,
    PartyRole,
    Status,
)
from .claim import Claim, ClaimQuerySet, current_claims, disputed_among, disputed_q
from .condition import LADDER, Condition, ConditionKind, reached_by
from .deadline import Deadline, DeadlineQuerySet
from .follow_up import FollowUp, FollowUpChange, FollowUpQuerySet
from .link import LINK_PHRASES, SUCCESSOR_KINDS, LinkKind, OutcomeLink
from .outcome import (
    TEXT_FIELDS,
    Outcome,
    OutcomeOrigin,
    OutcomeParty,
    OutcomeQuerySet,
    hide_draft_parents,
    status_rank,
)
from .status import StatusUpdate, StatusUpdateQuerySet, entry_in_force, in_force_condition

__all__ = [
    "LADDER",
    "LINK_PHRASES",
    "NO_STATUS_LABEL",
    "STATUS_DEFINITIONS",
    "STATUS_SCORES",
    "SUCCESSOR_KINDS",
    "TEXT_FIELDS",
    "Claim",
    "ClaimQuerySet",
    "Condition",
    "ConditionKind",
    "Deadline",
    "DeadlineQuerySet",
    "FollowUp",
    "FollowUpChange",
    "FollowUpKind",
    "FollowUpQuerySet",
    "FollowUpStatus",
    "LinkKind",
    "Outcome",
    "OutcomeOrigin",
    "OutcomeLink",
    "OutcomeParty",
    "OutcomeQuerySet",
    "OutcomeType",
    "PartyRole",
    "Status",
    "StatusUpdate",
    "StatusUpdateQuerySet",
    "current_claims",
    "disputed_among",
    "disputed_q",
    "entry_in_force",
    "hide_draft_parents",
    "in_force_condition",
    "reached_by",
    "status_rank",
]
