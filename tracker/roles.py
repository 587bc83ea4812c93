"""The three roles, as groups with permissions, and the code that keeps them so.

- Analysts enter: they add and edit processes, summits, actors, sources, proposals,
  outcomes and their parts (conditions and links across summits among them), and draft
  status updates, claims and follow-up changes. Everything they enter is a draft
  until an editor publishes it.
- Editors do all that, publish and withdraw any record (core.publish), and delete records
  nothing depends on.
- Researchers sign in to read work in progress, drafts included; they change nothing.

sync_roles() sets each group's permissions to exactly these, so running it again repairs a
group someone edited by hand. A migration runs it (every deployment has the groups), and so
does every later `migrate` (post_migrate), so that models added later are covered.
"""

# Records analysts enter, by app: each gets view, add and change.
ENTERED = {
    "actors": ["actor", "actorname", "source", "membership", "relationship"],
    "summits": [
        "process",
        "summit",
        "summitobjective",
        "participation",
        "proposal",
        "stance",
        "reaction",
        "challenge",
    ],
    "outcomes": [
        "outcome",
        "outcomeparty",
        "outcomeorigin",
        "followup",
        "statusupdate",
        "followupchange",
        "claim",
        "condition",
        "outcomelink",
    ],
}
# Parts edited inline on their parent's page: removing a row there needs delete.
INLINE_PARTS = {
    "actors": ["actorname", "membership", "relationship"],
    "summits": ["summitobjective", "participation", "stance", "reaction", "challenge"],
    "outcomes": ["outcomeparty", "outcomeorigin", "condition", "outcomelink"],
}
# Whole records: only editors delete them (and deletion is refused while others depend on
# them). Status updates are never deleted once published: see StatusUpdateAdmin.
WHOLE_RECORDS = {
    "actors": ["actor", "source"],
    "summits": ["process", "summit", "proposal"],
    "outcomes": ["outcome", "followup", "statusupdate", "claim"],
}
# Read-only for everyone signed in: the publication log (written by publishing).
READ_ONLY = {"core": ["publicationevent"]}

PUBLISH = ["core.publish"]


def _perms(actions: list[str], models_by_app: dict[str, list[str]]) -> set[str]:
    return {
        f"{app}.{action}_{model}"
        for app, models in models_by_app.items()
        for model in models
        for action in actions
    }


# Every role sees drafts on the public pages (core.publishing.can_see_drafts).
VIEW_ALL = _perms(["view"], ENTERED) | _perms(["view"], READ_ONLY) | {"core.view_drafts"}
# Analysts may discard a draft status update or follow-up change; nobody deletes a
# published one (the admin refuses: a published entry is corrected by a new one).
ANALYST = (
    VIEW_ALL
    | _perms(["add", "change"], ENTERED)
    | _perms(["delete"], INLINE_PARTS)
    | {"outcomes.delete_statusupdate", "outcomes.delete_followupchange"}
)
EDITOR = ANALYST | _perms(["delete"], WHOLE_RECORDS) | set(PUBLISH)
RESEARCHER = VIEW_ALL

ROLES: dict[str, set[str]] = {"Analyst": ANALYST, "Editor": EDITOR, "Researcher": RESEARCHER}


def sync_roles(apps=None, verbosity: int = 0) -> None:
    """Create the groups and set their permissions to exactly ROLES. With apps (a
    migration's historical registry), the permissions are created first if missing, since
    Django only creates them after all migrations have run."""
    from django.contrib.auth.management import create_permissions

    if apps is None:
        from django.apps import apps
    for app_config in apps.get_app_configs():
        # A migration's app configs have no models module, which create_permissions skips.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=name)
        wanted = []
        for code in sorted(codes):
            app_label, codename = code.split(".")
            wanted.append(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
        if verbosity:
            print(f"Role {name}: {len(wanted)} permissions")
