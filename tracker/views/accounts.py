"""Signing in (/accounts/login/): Django's own view, with the one rule for where a form may
send the reader afterwards (core.params.safe_next), so that a `next` of a bare word or of
another site falls back to the desk."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render

from core.params import safe_next


class SignInView(auth_views.LoginView):
    def get_redirect_url(self):
        asked = self.request.POST.get("next", self.request.GET.get("next"))
        return safe_next(self.request, asked, "")


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a sign-in while the account is locked from this address: 429,
    saying for how long and what else to do (settings.AXES_LOCKOUT_CALLABLE)."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "minutes": minutes,
        "username": username.replace("\x00", "")[:150],
    }
    return render(request, "registration/locked_out.html", context, status=429)
