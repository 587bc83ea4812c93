"""Root URLconf: the tracker's pages (tracker/urls.py) and the admin, where analysts enter
data."""

from django.contrib import admin
from django.urls import include, path

from tracker.views import imports

admin.site.site_header = "Summit Outcome Tracker"
admin.site.site_title = "Summit Outcome Tracker admin"
admin.site.index_title = "Data entry"

urlpatterns = [
    # Importing CSV files in the release format: admin pages, with the admin's sign-in.
    path("admin/import/", admin.site.admin_view(imports.import_upload), name="import_upload"),
    path(
        "admin/import/<int:pk>/",
        admin.site.admin_view(imports.import_review),
        name="import_review",
    ),
    path("admin/", admin.site.urls),
    path("", include("tracker.urls")),
]
