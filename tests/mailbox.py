"""A real SMTP server in the test process (aiosmtpd), and the mail it received (the mailbox
fixture, tests/conftest.py).

Tests read the messages as a mail program would (email.message_from_bytes); the server can
be told to refuse the next messages with a given reply, to test retries and bounces.
"""

import email
import email.policy
import re
import socket
import threading

from aiosmtpd.controller import Controller


class Mailbox:
    """What the server received, and the refusals it is told to make."""

    def __init__(self):
        self.messages = []
        self.refusals = []  # replies to give, one per RCPT, before accepting again
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if self.refusals:
                return self.refusals.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def link(message, pattern: str) -> str:
    """The first address in the plain text that matches pattern (a regex of its path)."""
    found = re.search(rf"https?://\S*{pattern}\S*", text_of(message))
    assert found, f"no link matching {pattern} in:\n{text_of(message)}"
    return found.group(0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mailbox_serving(settings):
    """Start a server and point the app's mail settings at it; returns (mailbox, controller)."""
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = "http://testserver"
    box.port = port
    return box, controller
