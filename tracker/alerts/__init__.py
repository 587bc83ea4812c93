"""E-mail alerts: following a commitment, an actor, a summit, a process or a saved search of
the outcome list, and being told when it moves.

- following: subscribing (double opt-in), confirming, cancelling, the limits on the follow
  form, and suppressed addresses;
- news: the publication log read into changes (AlertChange), each written once with what
  an alert says of it: what changed from what to what, on which date, with its sources;
- planning: each change matched to the subscriptions it concerns, as alerts (one per change
  for "immediately", one per period for the digests);
- sending: alerts claimed, composed and sent over SMTP, each exactly once, with retries.

The management command send_alerts runs news, planning and sending in that order; cron (or
any scheduler) runs it every few minutes. Nothing here changes the data version.
"""
