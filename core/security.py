"""Who is asking: the client's address, as the sign-in lockout (django-axes) counts it."""

from django.conf import settings


def client_ip(request) -> str:
    """The client's address. Served directly, REMOTE_ADDR. Behind TRUSTED_PROXIES proxies
    (settings), the address the outermost of them saw: each proxy appends the address it
    received the request from to CLIENT_IP_HEADER (X-Forwarded-For), so it is the entry that
    many places from the right. Entries further left were sent by the client and prove
    nothing. With fewer entries than proxies (a request that came round the proxies),
    REMOTE_ADDR."""
    count = settings.TRUSTED_PROXIES
    if count:
        hops = [hop.strip() for hop in request.META.get(settings.CLIENT_IP_HEADER, "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= count:
            return hops[-count][:100]
    return request.META.get("REMOTE_ADDR", "")


def attempted_username(request, credentials=None) -> str:
    """The username a sign-in attempt gave, as the lockout records it: at most the 150
    characters a username can have, without NUL. Django's sign-in forms pass a longer one on to
    authentication (their max_length only sizes the input box), and the lockout's table holds
    255 characters: PostgreSQL refuses the row, and the attempt would be a server error."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "POST", {}).get("username")
    return (username or "").replace("\x00", "")[:150]
