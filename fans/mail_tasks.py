"""Account email (allauth's confirmations, password resets, notices), sent by the
worker so that no request ever waits on SMTP. fans/adapter.py renders each message
in the request and hands it here, packed as plain JSON.

A temporary failure (4xx, a refused or dropped connection, a timeout) is retried
with exponential backoff; a permanent refusal (5xx) is logged once and dropped,
as a mail server would bounce it.
"""

import logging
import smtplib
from email.utils import make_msgid

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME

log = logging.getLogger(__name__)


def pack(message: EmailMultiAlternatives) -> dict:
    """A rendered message as JSON for the broker. Its Message-ID is fixed here, so
    a retry after a connection lost mid-send is recognisably the same message."""
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "headers": {"Message-ID": make_msgid(domain=DNS_NAME), **message.extra_headers},
        "alternatives": [[content, mimetype] for content, mimetype in message.alternatives],
    }


def unpack(packed: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        packed["subject"],
        packed["body"],
        packed["from_email"],
        packed["to"],
        headers=packed["headers"],
    )
    for content, mimetype in packed["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


def is_temporary(error: Exception) -> bool:
    """Worth trying again later: a 4xx answer, or no answer at all."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code // 100 == 4 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code // 100 == 4
    return True  # disconnected, refused connection, timeout


@shared_task(bind=True, max_retries=None)
def send_account_email(self, packed: dict) -> None:
    to = ", ".join(packed["to"])
    try:
        unpack(packed).send()
    except (smtplib.SMTPException, OSError) as error:
        if not is_temporary(error):
            log.error("Account email to %s refused for good (%s)", to, error)
            return
        if self.request.retries >= settings.FANHUB_EMAIL_MAX_RETRIES:
            log.error(
                "Account email to %s: giving up after %d retries (%s)",
                to,
                self.request.retries,
                error,
            )
            return
        countdown = settings.FANHUB_EMAIL_RETRY_SECONDS * 2**self.request.retries
        log.warning("Account email to %s failed (%s); will retry in %d s", to, error, countdown)
        raise self.retry(countdown=countdown) from error
