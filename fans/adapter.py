"""allauth's account adapter: account email is rendered in the request and sent by
the worker (fans/mail_tasks.py), so a slow, refusing or stalled SMTP server never
holds a request or turns it into an error page."""

import logging
import smtplib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMultiAlternatives
from kombu.exceptions import OperationalError

from fans.mail_tasks import pack, send_account_email

log = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # As allauth's own send_mail builds it, then rendered here, in the request.
        request = allauth_context.request
        ctx = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            **context,
        }
        _hand_over(self.render_mail(template_prefix, email, ctx))


def _hand_over(message: EmailMultiAlternatives) -> None:
    # The message is whole once rendered (confirmation keys are signed, not stored),
    # so it needs no transaction to commit first.
    if settings.FANHUB_ACCOUNT_EMAIL_BY_WORKER:
        try:
            send_account_email.delay(pack(message))
            return
        except OperationalError as error:
            log.warning("Broker unreachable (%s): sending account email inline", error)
    # Inline: bounded by EMAIL_TIMEOUT, well under the server's request timeout.
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        log.error("Account email to %s not sent (%s)", ", ".join(message.to), error)
