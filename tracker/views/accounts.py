"""Signing in (/accounts/login/): Django's own view, with the one rule for where a form may
send the reader afterwards (core.params.safe_next), so that a `next` of a bare word or of
another site falls back to the desk."""

from django.contrib.auth import views as auth_views

from core.params import safe_next


class SignInView(auth_views.LoginView):
    def get_redirect_url(self):
        asked = self.request.POST.get("next", self.request.GET.get("next"))
        return safe_next(self.request, asked, "")
