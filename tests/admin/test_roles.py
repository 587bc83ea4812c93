"""The roles: groups created by migration, with the permissions the issue describes, kept
exact when the sync runs again."""

import pytest
from django.contrib.auth.models import Group, Permission

from tests.factories import staff_member
from tracker.roles import ROLES, sync_roles

pytestmark = pytest.mark.django_db


def codes(group: Group) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_every_deployment_has_the_three_roles_with_their_permissions():
    # The test database was built by the migrations, as any deployment is.
    for name, wanted in ROLES.items():
        assert codes(Group.objects.get(name=name)) == wanted


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (
            "Analyst",
            [
                "summits.add_summit",
                "outcomes.change_outcome",
                "outcomes.add_statusupdate",
                # A follow-up change is a draft until an editor publishes it.
                "outcomes.add_followupchange",
                "core.view_drafts",
            ],
            ["core.publish", "outcomes.delete_outcome", "core.add_publicationevent"],
        ),
        (
            "Editor",
            ["core.publish", "outcomes.add_followupchange", "actors.add_source"],
            [
                "auth.add_user",
                "auth.change_group",
                # The publication log is written by publishing alone, never by hand.
                "core.add_publicationevent",
                "core.change_publicationevent",
                "core.delete_publicationevent",
            ],
        ),
        (
            "Researcher",
            [
                "outcomes.view_outcome",
                "outcomes.view_statusupdate",
                "actors.view_source",
                "core.view_drafts",
                "core.view_publicationevent",
            ],
            [
                "outcomes.add_statusupdate",
                "outcomes.change_outcome",
                "actors.add_source",
                "core.publish",
                "outcomes.add_followupchange",
            ],
        ),
    ],
)
def test_each_role_may_do_what_the_issue_says_and_no_more(role, allowed, refused):
    user = staff_member(role.lower(), role)
    for perm in allowed:
        assert user.has_perm(perm), perm
    for perm in refused:
        assert not user.has_perm(perm), perm


def test_running_the_sync_again_repairs_a_group_edited_by_hand():
    editor = Group.objects.get(name="Editor")
    editor.permissions.remove(Permission.objects.get(codename="publish"))
    researcher = Group.objects.get(name="Researcher")
    researcher.permissions.add(Permission.objects.get(codename="delete_outcome"))

    sync_roles()
    sync_roles()  # and twice changes nothing more

    assert codes(editor) == ROLES["Editor"]
    assert codes(researcher) == ROLES["Researcher"]
    assert Group.objects.filter(name__in=ROLES).count() == 3
