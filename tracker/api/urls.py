"""The API's addresses, under /api/v1/ (tracker/urls.py). Permanent: a client's code names
them. A new version of the API gets a new prefix; this one only ever gains fields."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

urlpatterns = [
    path("", views.Root.as_view(), name="root"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("summits/", views.SummitList.as_view(), name="summits"),
    path("summits/<str:slug>/", views.SummitRecord.as_view(), name="summit"),
    path("processes/", views.ProcessList.as_view(), name="processes"),
    path("processes/<str:slug>/", views.ProcessRecord.as_view(), name="process"),
    path("actors/", views.ActorList.as_view(), name="actors"),
    path("actors/<str:slug>/", views.ActorRecord.as_view(), name="actor"),
    path("sources/", views.SourceList.as_view(), name="sources"),
    path("sources/<str:slug>/", views.SourceRecord.as_view(), name="source"),
    path("proposals/", views.ProposalList.as_view(), name="proposals"),
    path("proposals/<str:id>/", views.ProposalRecord.as_view(), name="proposal"),
    path("outcomes/", views.OutcomeList.as_view(), name="outcomes"),
    path("outcomes/<str:slug>/", views.OutcomeRecord.as_view(), name="outcome"),
    path("status-entries/", views.StatusEntryList.as_view(), name="status-entries"),
    path("status-entries/<str:id>/", views.StatusEntryRecord.as_view(), name="status-entry"),
    path("follow-ups/", views.FollowUpList.as_view(), name="follow-ups"),
    path("follow-ups/<str:id>/", views.FollowUpRecord.as_view(), name="follow-up"),
    re_path(r"^.*$", views.NoSuchAddress.as_view(), name="no-such-address"),
]
