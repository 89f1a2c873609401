"""HTTP signatures: draft-cavage (what Mastodon sends and expects) and RFC 9421.

Incoming requests are verified against the sender's public key, which the caller
looks up by key id (`resolve_key`). A POST must also carry a signed digest of its
body, so a signature can't be replayed over other content, and a recent date.
"""

import base64
import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

import http_message_signatures as hms
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

# Mastodon accepts a Date within 12 hours (plus an hour's skew); so do we.
MAX_AGE = timedelta(hours=12)
SKEW = timedelta(hours=1)


class SignatureError(Exception):
    """The request is unsigned or its signature does not hold."""


def sha256_digest(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def sign_cavage(
    method: str, url: str, *, key: rsa.RSAPrivateKey, key_id: str, body: bytes = b""
) -> dict:
    """The headers that sign a request the way Mastodon signs its own."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Host": parts.netloc, "Date": format_datetime(datetime.now(UTC), usegmt=True)}
    names = ["(request-target)", "host", "date"]
    if method.upper() == "POST":
        headers["Digest"] = sha256_digest(body)
        headers["Content-Type"] = "application/activity+json"
        names += ["digest", "content-type"]
    lowered = {k.lower(): v for k, v in headers.items()}
    lines = [
        f"(request-target): {method.lower()} {target}"
        if n == "(request-target)"
        else f"{n}: {lowered[n]}"
        for n in names
    ]
    signature = key.sign("\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())
    headers["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )
    return headers


def load_public_key(pem: str):
    try:
        return serialization.load_pem_public_key(pem.encode())
    except ValueError as error:
        raise SignatureError(f"Unreadable public key: {error}") from None


def _verify_raw(public_key, signature: bytes, data: bytes) -> None:
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(signature, data)
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            raise SignatureError("Unsupported key type")
    except InvalidSignature:
        raise SignatureError("Signature does not match") from None


_PARAM = re.compile(r'(\w+)="([^"]*)"')


def verify_cavage(
    method: str, path: str, headers: dict, body: bytes, resolve_key: Callable[[str, bool], str]
) -> str:
    """Check a draft-cavage `Signature` header; returns the key id it was made with.
    `headers` maps lower-case names to values; `path` includes any query."""
    params = dict(_PARAM.findall(headers.get("signature", "")))
    if not {"keyId", "signature"} <= params.keys():
        raise SignatureError("No usable Signature header")
    names = params.get("headers", "date").lower().split()
    _require_signed(method, names, headers, body, created=params.get("created"))
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {path}")
        elif name in ("(created)", "(expires)"):
            lines.append(f"{name}: {params.get(name[1:-1], '')}")
        elif name in headers:
            lines.append(f"{name}: {headers[name]}")
        else:
            raise SignatureError(f"Signed header {name} is missing")
    try:
        signature = base64.b64decode(params["signature"], validate=True)
    except ValueError:
        raise SignatureError("Signature is not base64") from None
    data = "\n".join(lines).encode()
    key_id = params["keyId"]
    # A key that fails may have been rotated since we cached it: fetch it once more.
    try:
        _verify_raw(load_public_key(resolve_key(key_id, False)), signature, data)
    except SignatureError:
        _verify_raw(load_public_key(resolve_key(key_id, True)), signature, data)
    return key_id


def _require_signed(method: str, names: list[str], headers: dict, body: bytes, created) -> None:
    if "date" in names:
        try:
            sent = parsedate_to_datetime(headers["date"])
        except (KeyError, TypeError, ValueError):
            raise SignatureError("Unreadable Date header") from None
    elif "(created)" in names and created and created.isdigit():
        sent = datetime.fromtimestamp(int(created), UTC)
    else:
        raise SignatureError("The date is not signed")
    now = datetime.now(UTC)
    if sent.tzinfo is None or not now - MAX_AGE - SKEW <= sent <= now + SKEW:
        raise SignatureError("Signed date is outside the accepted window")
    if method.upper() == "POST":
        if "digest" not in names:
            raise SignatureError("The body's digest is not signed")
        expected = sha256_digest(body).partition("=")[2]
        sent = [d.strip().partition("=") for d in headers.get("digest", "").split(",")]
        if not any(alg.upper() == "SHA-256" and value == expected for alg, _, value in sent):
            raise SignatureError("Digest does not match the body")


class _Request:
    """What http-message-signatures reads from a request."""

    def __init__(self, method: str, url: str, headers: dict):
        self.method, self.url, self.headers = method.upper(), url, headers


class _KeyResolver(hms.HTTPSignatureKeyResolver):
    def __init__(self, key):
        self.key = key

    def resolve_public_key(self, key_id: str):
        return self.key


ALGORITHMS = {
    "rsa-v1_5-sha256": hms.algorithms.RSA_V1_5_SHA256,
    "rsa-pss-sha512": hms.algorithms.RSA_PSS_SHA512,
    "ed25519": hms.algorithms.ED25519,
    "ecdsa-p256-sha256": hms.algorithms.ECDSA_P256_SHA256,
}


def _algorithms_for(name: str, key) -> list:
    """The algorithm the signature names, or those its key can make: an RSA key
    signs with PKCS#1 v1.5 on the fediverse, with PSS in the RFC's examples."""
    if name:
        if name not in ALGORITHMS:
            raise SignatureError(f"Unsupported signature algorithm {name}")
        return [ALGORITHMS[name]]
    if isinstance(key, ed25519.Ed25519PublicKey):
        return [hms.algorithms.ED25519]
    if isinstance(key, ec.EllipticCurvePublicKey):
        return [hms.algorithms.ECDSA_P256_SHA256]
    return [hms.algorithms.RSA_V1_5_SHA256, hms.algorithms.RSA_PSS_SHA512]


def _covers_enough(method: str, covered: set[str]) -> bool:
    """The method, where it went, and for a POST its body's digest."""
    where = "@target-uri" in covered or {"@path", "@authority"} <= covered
    body = method.upper() != "POST" or "content-digest" in covered
    return "@method" in covered and where and body


def verify_rfc9421(
    method: str,
    url: str,
    headers: dict,
    body: bytes,
    resolve_key: Callable[[str, bool], str],
    *,
    max_age: timedelta | None = MAX_AGE,
) -> str:
    """Check an RFC 9421 `Signature-Input`/`Signature` pair; returns its key id.
    It must cover the method and target, and a POST's Content-Digest, which must
    match the body."""
    signature_input = headers.get("signature-input", "")
    key_match = re.search(r';\s*keyid="([^"]+)"', signature_input)
    if not key_match:
        raise SignatureError("The signature names no key")
    key_id = key_match.group(1)
    alg_match = re.search(r';\s*alg="([^"]+)"', signature_input)
    last_error = None
    for refresh in (False, True):
        key = load_public_key(resolve_key(key_id, refresh))
        for algorithm in _algorithms_for(alg_match.group(1) if alg_match else "", key):
            verifier = hms.HTTPMessageVerifier(
                signature_algorithm=algorithm, key_resolver=_KeyResolver(key)
            )
            verifier.max_clock_skew = SKEW
            try:
                results = verifier.verify(
                    _Request(method, url, headers),
                    max_age=max_age,
                    body=body if body or "content-digest" in headers else None,
                )
            except hms.HTTPMessageSignaturesException as error:
                last_error = error
                continue
            covered = {
                str(c).split(";")[0].strip('"') for r in results for c in r.covered_components
            }
            if not _covers_enough(method, covered):
                raise SignatureError("The signature does not cover the method, target and body")
            return key_id
    raise SignatureError(f"RFC 9421 signature does not hold: {last_error}")


def verify(
    method: str, url: str, headers: dict, body: bytes, resolve_key: Callable[[str, bool], str]
) -> str:
    """Verify whichever signature a request carries; returns the signing key id."""
    headers = {k.lower(): v for k, v in headers.items()}
    if "signature-input" in headers:
        return verify_rfc9421(method, url, headers, body, resolve_key)
    if "signature" in headers:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return verify_cavage(method, path, headers, body, resolve_key)
    raise SignatureError("The request is not signed")
