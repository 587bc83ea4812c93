"""Every address of the tracker. They are permanent links that researchers cite: keep them
stable. Each page's code is in tracker/views/, one module per address prefix."""

from django.urls import include, path

from core.cache import public_page

from .views import (
    accounts,
    actors,
    alerts,
    citations,
    data,
    desk,
    exports,
    feeds,
    history,
    outcomes,
    scorecards,
    site,
    sources,
    summits,
)

urlpatterns = [
    path("", site.overview, name="overview"),
    path("methodology/", site.methodology, name="methodology"),
    path("search/", site.search, name="search"),
    path("summits/", summits.summit_list, name="summit_list"),
    path("summits/<slug:slug>/", summits.summit_detail, name="summit_detail"),
    path("processes/", summits.process_list, name="process_list"),
    path("processes/<slug:slug>/", summits.process_detail, name="process_detail"),
    path("summits/<slug:slug>/scorecard/", scorecards.summit_scorecard, name="summit_scorecard"),
    path(
        "summits/<slug:slug>/scorecard.csv",
        scorecards.summit_scorecard_csv,
        name="summit_scorecard_csv",
    ),
    path("scorecards/", scorecards.scorecards, name="scorecards"),
    path("scorecards.csv", scorecards.scorecards_csv, name="scorecards_csv"),
    path("outcomes/", outcomes.outcome_list, name="outcome_list"),
    path("outcomes/export.csv", exports.outcome_export_csv, name="outcome_export_csv"),
    path("outcomes/export.json", exports.outcome_export_json, name="outcome_export_json"),
    path("outcomes/panel.csv", exports.outcome_panel_csv, name="outcome_panel_csv"),
    path("outcomes/panel.json", exports.outcome_panel_json, name="outcome_panel_json"),
    path("outcomes/claims.csv", exports.CLAIMS.csv, name="claims_csv"),
    path("outcomes/claims.json", exports.CLAIMS.json, name="claims_json"),
    path("outcomes/conditions.csv", exports.CONDITIONS.csv, name="conditions_csv"),
    path("outcomes/conditions.json", exports.CONDITIONS.json, name="conditions_json"),
    path("outcomes/links.csv", exports.LINKS.csv, name="links_csv"),
    path("outcomes/links.json", exports.LINKS.json, name="links_json"),
    path("outcomes/<slug:slug>/", outcomes.outcome_detail, name="outcome_detail"),
    path("outcomes/<slug:slug>/history/", history.outcome_history, name="outcome_history"),
    path("sources/<slug:slug>/", sources.source_detail, name="source_detail"),
    path("actors/", actors.actor_list, name="actor_list"),
    path("actors/<slug:slug>/", actors.actor_detail, name="actor_detail"),
    path("actors/<slug:slug>/scorecard/", scorecards.actor_scorecard, name="actor_scorecard"),
    path(
        "actors/<slug:slug>/scorecard.csv",
        scorecards.actor_scorecard_csv,
        name="actor_scorecard_csv",
    ),
    # The dataset releases: each one's files stay at these addresses, unchanged, forever.
    path("data/", data.release_list, name="release_list"),
    path("data/<str:version>/", data.release_detail, name="release"),
    path(
        "data/<str:version>/citation.<str:fmt>",
        data.release_citation_file,
        name="release_citation",
    ),
    path("data/<str:version>/<str:name>", data.release_file, name="release_file"),
    # A page's suggested citation for reference managers: kind is summits, outcomes or actors.
    path("<str:kind>/<slug:slug>/citation.<str:fmt>", citations.citation, name="citation"),
    path("feeds/updates.atom", public_page(feeds.UpdatesFeed()), name="updates_feed"),
    path("deadlines.ics", feeds.deadlines_ics, name="deadlines_ics"),
    # Following by e-mail (tracker/alerts/): never cached, each page has a form or a secret.
    path("follow/", alerts.follow, name="follow"),
    path("follow/requested/", alerts.requested, name="alerts_requested"),
    path("alerts/confirm/<str:value>/", alerts.confirm, name="alerts_confirm"),
    path("alerts/manage/<str:token>/", alerts.manage, name="alerts_manage"),
    path("alerts/unsubscribe/<str:token>/", alerts.unsubscribe, name="alerts_unsubscribe"),
    # Signed-in work: the follow-up desk (editors) and sign-in itself.
    path("desk/", desk.desk, name="desk"),
    path(
        "desk/outcomes/<slug:slug>/update/",
        desk.record_status_update,
        name="desk_record_update",
    ),
    path("desk/follow-ups/<int:pk>/", desk.follow_up_change, name="desk_follow_up"),
    path(
        "desk/follow-ups/<int:pk>/discard/",
        desk.discard_follow_up_change,
        name="desk_discard_follow_up_change",
    ),
    path("desk/publish/", desk.publish, name="desk_publish"),
    path("desk/alerts/", alerts.staff_alerts, name="desk_alerts"),
    path("accounts/login/", accounts.SignInView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    # The read API for programs (tracker/api/), documented at /api/v1/docs/.
    path("api/v1/", include("tracker.api.urls")),
]
