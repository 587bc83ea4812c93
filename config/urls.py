"""Root URLconf: the tracker's pages (tracker/urls.py) and the admin, where analysts enter
data."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Summit Outcome Tracker"
admin.site.site_title = "Summit Outcome Tracker admin"
admin.site.index_title = "Data entry"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("tracker.urls")),
]
