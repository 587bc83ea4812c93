"""The API's throttle, on its own: the settings name it, and DRF imports it while loading
its views (in tracker.api.views it would import itself)."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle

from core.security import client_ip


class AnonymousThrottle(AnonRateThrottle):
    """Anonymous clients, per address (core.security.client_ip, as the sign-in lockout
    counts them), at settings.API_ANON_RATE; signed-in staff and tokens are not throttled."""

    def get_rate(self):
        return settings.API_ANON_RATE

    def get_ident(self, request):
        return client_ip(request)
