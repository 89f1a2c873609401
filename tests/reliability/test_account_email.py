"""Account email (sign-up confirmation, password reset) goes out from the worker:
SMTP that answers 451, refuses, is down or stalls never turns a request into an
error page, and a temporary failure is retried until the message is accepted.
Each test runs its own SMTP server (aiosmtpd) and a real Celery worker."""

import logging
import socket
import time

import pytest
from django.urls import reverse

from fans.models import User
from tests.polling import wait_for
from tests.reliability.conftest import free_port

SIGN_UP = {
    "email": "new@example.com",
    "display_name": "New Fan",
    "password1": "a long new password",
    "password2": "a long new password",
}


@pytest.fixture
def by_worker(settings):
    # Production's way (the test settings send inline so other tests read the outbox).
    settings.FANHUB_ACCOUNT_EMAIL_BY_WORKER = True
    settings.FANHUB_EMAIL_RETRY_SECONDS = 0


def logged(caplog, text: str):
    return lambda: [r for r in caplog.records if text in r.getMessage()]


def test_sign_up_while_smtp_answers_451_then_accepts(client, smtp, celery_worker, by_worker):
    smtp.script = ["451 4.3.0 Try again later", "451 4.3.0 Try again later"]
    response = client.post(reverse("account_signup"), SIGN_UP)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email="new@example.com").exists()
    # The worker retries until the server takes it: one message, whole.
    (message,) = wait_for(lambda: smtp.to("new@example.com"))
    assert smtp.script == []  # both 451s were met first
    assert "/accounts/confirm-email/" in message.get_body(("plain",)).get_content()
    assert message.get_body(("html",)) is not None
    assert message["From"] and message["Subject"].startswith("[Fanhub]")


def test_password_reset_while_smtp_refuses(client, fan, smtp, celery_worker, by_worker, caplog):
    smtp.refuse = {fan.email}
    response = client.post(reverse("account_reset_password"), {"email": fan.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    # A permanent refusal is logged once, never retried.
    wait_for(logged(caplog, "refused"))
    time.sleep(0.5)
    assert len(logged(caplog, "refused")()) == 1
    assert smtp.messages == []


def test_password_reset_with_no_smtp_server(
    client, fan, settings, celery_worker, by_worker, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.FANHUB_EMAIL_MAX_RETRIES = 2
    caplog.set_level(logging.WARNING, logger="fans.mail_tasks")
    response = client.post(reverse("account_reset_password"), {"email": fan.email})
    assert response.status_code == 302
    # Tried, retried twice, then given up with an error in the log.
    wait_for(logged(caplog, "giving up"))
    assert len(logged(caplog, "will retry")()) == 2


def test_a_stalled_smtp_server_never_holds_the_request(
    client, fan, settings, celery_worker, by_worker, caplog
):
    with socket.socket() as stalled:  # accepts connections, never says a word
        stalled.bind(("127.0.0.1", 0))
        stalled.listen()
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = stalled.getsockname()
        settings.EMAIL_TIMEOUT = 1
        settings.FANHUB_EMAIL_MAX_RETRIES = 0
        response = client.post(reverse("account_reset_password"), {"email": fan.email})
        assert response.status_code == 302
        wait_for(logged(caplog, "giving up"))  # the worker waited, not the person


def test_the_web_never_waits_longer_on_smtp_than_a_fraction_of_a_request():
    from fanhub import settings as production

    gunicorn_timeout = 30  # deploy's gunicorn --timeout (its default)
    assert gunicorn_timeout / 3 >= production.EMAIL_TIMEOUT


def test_with_the_broker_down_account_email_is_sent_inline(
    client, smtp, by_worker, broker_down, transactional_db
):
    response = client.post(reverse("account_signup"), SIGN_UP)
    assert response.status_code == 302
    (message,) = smtp.to("new@example.com")
    assert "/accounts/confirm-email/" in message.get_body(("plain",)).get_content()


def test_with_the_broker_and_smtp_down_the_person_still_sees_the_usual_page(
    client, fan, settings, by_worker, broker_down, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    response = client.post(reverse("account_reset_password"), {"email": fan.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert logged(caplog, "not sent")()


def test_with_the_broker_hung_account_email_is_sent_inline(
    client, smtp, by_worker, broker_hung, transactional_db
):
    response = client.post(reverse("account_signup"), SIGN_UP)
    assert response.status_code == 302
    (message,) = smtp.to("new@example.com")
    assert "/accounts/confirm-email/" in message.get_body(("plain",)).get_content()


def test_every_try_of_one_message_carries_the_same_message_id():
    from django.core.mail import EmailMultiAlternatives

    from fans.mail_tasks import pack, unpack

    packed = pack(EmailMultiAlternatives("Hi", "Body", "a@example.com", ["b@example.com"]))
    first, retry = unpack(packed).message(), unpack(packed).message()
    assert first["Message-ID"] == retry["Message-ID"]
