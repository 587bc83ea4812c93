from django.contrib import admin
from django.urls import path

admin.site.site_header = "Summit Outcome Tracker"
admin.site.site_title = "Summit Outcome Tracker admin"
admin.site.index_title = "Data entry"

urlpatterns = [
    path("admin/", admin.site.urls),
]
