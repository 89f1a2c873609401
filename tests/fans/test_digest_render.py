"""A batch renders each post and each digest frame once (fans.emails.DigestRenderer):
every fan must still get their own name, link and count, escaped where it goes."""

from datetime import timedelta

from django.utils import timezone

from fans.models import DigestDelivery
from tests.fans.test_digests import make_follower, publish


def test_each_fan_in_a_batch_gets_their_own_name_link_and_count(artist, smtp, run_pass):
    bold = make_follower("bold@example.com", artist, display_name="<b>Bo & “Lu”</b>")
    plain = make_follower("plain@example.com", artist)  # no display name
    earlier = timezone.now() - timedelta(days=20)  # one digest already this year
    DigestDelivery.objects.create(
        user=bold,
        period_start=earlier - timedelta(days=7),
        status="sent",
        claimed_at=earlier,
        sent_at=earlier,
    )
    publish(artist, "Same song for both")
    run_pass()
    assert len(smtp.messages) == 2
    bold_mail, plain_mail = smtp.to(bold.email)[0], smtp.to(plain.email)[0]
    bold_text = bold_mail.get_body(("plain",)).get_content()
    bold_html = bold_mail.get_body(("html",)).get_content()
    plain_text = plain_mail.get_body(("plain",)).get_content()
    assert "Hello <b>Bo & “Lu”</b>," in bold_text
    assert "Hello &lt;b&gt;Bo &amp; “Lu”&lt;/b&gt;," in bold_html and "<b>Bo" not in bold_html
    # Not the other fan's name (a bare "Bo" can turn up inside a random link token).
    assert "Hello," in plain_text and "Bo &" not in plain_text and "“Lu”" not in plain_text
    # Their own unsubscribe links, in the header and the body, and nobody else's.
    for mail, other in ((bold_mail, plain_mail), (plain_mail, bold_mail)):
        link = str(mail["List-Unsubscribe"]).strip().strip("<>")
        assert link in mail.get_body(("plain",)).get_content()
        assert link in mail.get_body(("html",)).get_content()
        assert link not in other.get_body(("plain",)).get_content()
    assert "digest number 2 this year" in bold_text
    assert "digest number 1 this year" in plain_text
    assert "fanhub" not in bold_text + bold_html + plain_text  # no marker left behind
