"""Signature test vectors: RFC 9421's own examples (B.2.3, B.2.6), and a request
signed the way Mastodon signs its deliveries (draft-cavage, rsa-sha256)."""

import base64
import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import time_machine
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from federation import signatures
from federation.signatures import SignatureError

# RFC 9421 appendix B.1.2 (test-key-rsa-pss) and B.1.4 (test-key-ed25519).
RSA_PSS_PUBLIC = """-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAr4tmm3r20Wd/PbqvP1s2
+QEtvpuRaV8Yq40gjUR8y2Rjxa6dpG2GXHbPfvMs8ct+Lh1GH45x28Rw3Ry53mm+
oAXjyQ86OnDkZ5N8lYbggD4O3w6M6pAvLkhk95AndTrifbIFPNU8PPMO7OyrFAHq
gDsznjPFmTOtCEcN2Z1FpWgchwuYLPL+Wokqltd11nqqzi+bJ9cvSKADYdUAAN5W
Utzdpiy6LbTgSxP7ociU4Tn0g5I6aDZJ7A8Lzo0KSyZYoA485mqcO0GVAdVw9lq4
aOT9v6d+nb4bnNkQVklLQ3fVAvJm+xdDOp9LCNCN48V2pnDOkFV6+U9nV5oyc6XI
2wIDAQAB
-----END PUBLIC KEY-----
"""
ED25519_PUBLIC = """-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=
-----END PUBLIC KEY-----
"""
RFC_URL = "https://example.com/foo?param=Value&Pet=dog"
RFC_BODY = b'{"hello": "world"}'
RFC_HEADERS = {
    "host": "example.com",
    "date": "Tue, 20 Apr 2021 02:07:55 GMT",
    "content-type": "application/json",
    "content-digest": "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7"
    "BNNyealdVLvRwEmTHWXvJwew==:",
    "content-length": "18",
}
B23 = {
    "signature-input": 'sig-b23=("date" "@method" "@path" "@query" "@authority" "content-type" '
    '"content-digest" "content-length");created=1618884473;keyid="test-key-rsa-pss"',
    "signature": "sig-b23=:bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yBiMIRGOnMYwZ/5MR6fb0Kh1rI"
    "RASVxFkeGt683+qRpRRU5p2voTp768ZrCUb38K0fUxN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPVi"
    "V7KsLNmvKiLJH1pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9bpG6A9BmzhuzF8"
    "Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5ZJzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==:",
}
B26 = {
    "signature-input": 'sig-b26=("date" "@method" "@path" "@authority" "content-type" '
    '"content-length");created=1618884473;keyid="test-key-ed25519"',
    "signature": "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6"
    "vuQv5lIp5WPpBKRCw==:",
}
RFC_TIME = datetime(2021, 4, 20, 2, 8, 0, tzinfo=UTC)


def keys(pem: str):
    return lambda key_id, refresh: pem


@time_machine.travel(RFC_TIME, tick=False)
def test_rfc9421_b23_full_coverage_verifies():
    headers = {**RFC_HEADERS, **B23}
    assert signatures.verify("POST", RFC_URL, headers, RFC_BODY, keys(RSA_PSS_PUBLIC)) == (
        "test-key-rsa-pss"
    )


@time_machine.travel(RFC_TIME, tick=False)
def test_rfc9421_b23_refused_when_the_body_was_changed():
    headers = {**RFC_HEADERS, **B23}
    with pytest.raises(SignatureError, match="does not hold"):
        signatures.verify("POST", RFC_URL, headers, b'{"hello": "World"}', keys(RSA_PSS_PUBLIC))


@time_machine.travel(RFC_TIME, tick=False)
def test_rfc9421_b23_refused_when_a_signed_header_was_changed():
    headers = {**RFC_HEADERS, **B23, "content-type": "text/plain"}
    with pytest.raises(SignatureError):
        signatures.verify("POST", RFC_URL, headers, RFC_BODY, keys(RSA_PSS_PUBLIC))


@time_machine.travel(RFC_TIME + timedelta(days=2), tick=False)
def test_rfc9421_b23_refused_two_days_later():
    headers = {**RFC_HEADERS, **B23}
    with pytest.raises(SignatureError, match="age"):
        signatures.verify("POST", RFC_URL, headers, RFC_BODY, keys(RSA_PSS_PUBLIC))


@time_machine.travel(RFC_TIME, tick=False)
def test_rfc9421_b26_ed25519_holds_but_a_post_must_sign_its_body():
    headers = {k: v for k, v in RFC_HEADERS.items() if k != "content-digest"} | B26
    verify = signatures.verify_rfc9421
    with pytest.raises(SignatureError, match="message body requires a signed Content-Digest"):
        verify("POST", RFC_URL, headers, RFC_BODY, keys(ED25519_PUBLIC))
    # Without the body, the signature itself holds (the coverage policy is checked only
    # after it does), and the policy still refuses a POST that signs no digest.
    with pytest.raises(SignatureError, match="does not cover the method, target and body"):
        verify("POST", RFC_URL, headers, b"", keys(ED25519_PUBLIC))


@time_machine.travel(RFC_TIME, tick=False)
def test_rfc9421_b26_refused_with_another_key():
    headers = {k: v for k, v in RFC_HEADERS.items() if k != "content-digest"} | B26
    with pytest.raises(SignatureError):
        signatures.verify_rfc9421("POST", RFC_URL, headers, b"", keys(RSA_PSS_PUBLIC))


# A Mastodon delivery, built exactly as Mastodon's signed request does: keyId the
# actor's #main-key, rsa-sha256, headers "(request-target) host date digest
# content-type", Digest "SHA-256=…".
MASTODON_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
MASTODON_PUBLIC = (
    MASTODON_KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)
INBOX = "https://fan.example/federation/inbox"


def mastodon_request(body: bytes, *, date: datetime | None = None, signed=None) -> dict:
    date_header = format_datetime(date or datetime.now(UTC), usegmt=True)
    digest = "SHA-256=" + base64.b64encode(__import__("hashlib").sha256(body).digest()).decode()
    headers = {
        "host": "fan.example",
        "date": date_header,
        "digest": digest,
        "content-type": "application/activity+json",
    }
    names = signed or ["(request-target)", "host", "date", "digest", "content-type"]
    lines = [
        "(request-target): post /federation/inbox"
        if n == "(request-target)"
        else f"{n}: {headers[n]}"
        for n in names
    ]
    signature = MASTODON_KEY.sign("\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())
    headers["signature"] = (
        'keyId="https://mastodon.example/users/mona#main-key",algorithm="rsa-sha256",'
        f'headers="{" ".join(names)}",signature="{base64.b64encode(signature).decode()}"'
    )
    return headers


BODY = json.dumps({"type": "Follow", "actor": "https://mastodon.example/users/mona"}).encode()


def test_mastodon_style_delivery_verifies():
    key_id = signatures.verify("POST", INBOX, mastodon_request(BODY), BODY, keys(MASTODON_PUBLIC))
    assert key_id == "https://mastodon.example/users/mona#main-key"


def test_mastodon_style_delivery_with_another_body_is_refused():
    with pytest.raises(SignatureError, match="Digest does not match"):
        signatures.verify("POST", INBOX, mastodon_request(BODY), BODY + b" ", keys(MASTODON_PUBLIC))


def test_a_post_whose_digest_is_not_signed_is_refused():
    headers = mastodon_request(BODY, signed=["(request-target)", "host", "date"])
    with pytest.raises(SignatureError, match="digest is not signed"):
        signatures.verify("POST", INBOX, headers, BODY, keys(MASTODON_PUBLIC))


def test_a_signature_to_another_inbox_is_refused():
    headers = mastodon_request(BODY)
    with pytest.raises(SignatureError, match="does not match"):
        signatures.verify(
            "POST",
            "https://fan.example/federation/artists/x/inbox",
            headers,
            BODY,
            keys(MASTODON_PUBLIC),
        )


@pytest.mark.parametrize(
    ("age", "ok"),
    [
        (timedelta(hours=12, minutes=59), True),
        (timedelta(hours=13, minutes=1), False),
        (-timedelta(minutes=59), True),
        (-timedelta(minutes=61), False),
    ],
)
def test_the_signed_date_window(age, ok):
    headers = mastodon_request(BODY, date=datetime.now(UTC) - age)
    if ok:
        signatures.verify("POST", INBOX, headers, BODY, keys(MASTODON_PUBLIC))
    else:
        with pytest.raises(SignatureError, match="window"):
            signatures.verify("POST", INBOX, headers, BODY, keys(MASTODON_PUBLIC))


def test_a_rotated_key_is_fetched_again_once():
    asked = []

    def resolve(key_id, refresh):
        asked.append(refresh)
        return MASTODON_PUBLIC if refresh else ED25519_PUBLIC  # the cached one is stale

    signatures.verify("POST", INBOX, mastodon_request(BODY), BODY, resolve)
    assert asked == [False, True]


def test_our_signatures_verify_with_our_own_checker():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    headers = signatures.sign_cavage("POST", INBOX, key=key, key_id="k", body=BODY)
    assert signatures.verify("POST", INBOX, headers, BODY, keys(public)) == "k"


# draft-cavage-http-signatures appendix C: its test key and the "all headers" (C.3)
# request, with the signature over the headers it names.
CAVAGE_PUBLIC = """-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3
6rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6
Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJw
oYi+1hqp1fIekaxsyQIDAQAB
-----END PUBLIC KEY-----
"""
CAVAGE_HEADERS = {
    "host": "example.com",
    "date": "Sun, 05 Jan 2014 21:31:40 GMT",
    "content-type": "application/json",
    "digest": "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
    "content-length": "18",
    "signature": 'keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date '
    'content-type digest content-length",signature="vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oV'
    "LEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52LaEUHFv120V01IL+TAD48XaERZFukWgHoBTLMhYS2Gb5"
    '1gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE="',
}
CAVAGE_URL = "https://example.com/foo?param=value&pet=dog"


@time_machine.travel(datetime(2014, 1, 5, 21, 32, tzinfo=UTC), tick=False)
def test_draft_cavage_c3_all_headers_verifies():
    assert signatures.verify("POST", CAVAGE_URL, CAVAGE_HEADERS, RFC_BODY, keys(CAVAGE_PUBLIC)) == (
        "Test"
    )


@time_machine.travel(datetime(2014, 1, 5, 21, 32, tzinfo=UTC), tick=False)
def test_draft_cavage_c3_refused_for_another_path():
    with pytest.raises(SignatureError, match="does not match"):
        signatures.verify(
            "POST",
            "https://example.com/foo?param=value&pet=cat",
            CAVAGE_HEADERS,
            RFC_BODY,
            keys(CAVAGE_PUBLIC),
        )
