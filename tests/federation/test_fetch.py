"""Outgoing fetches are guarded: no private, loopback or link-local targets in
production, at most 3 redirects, a timeout, a size cap. (Refused addresses are
refused before any connection is made: no traffic goes to them.)"""

import pytest

from federation import fetch
from federation.fetch import FetchError

pytestmark = pytest.mark.django_db  # fetches are signed with the hub's key


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/users/x",
        "https://localhost/users/x",
        "https://[::1]/users/x",
        "https://10.1.2.3/users/x",
        "https://192.168.0.10/users/x",
        "https://172.16.0.1/users/x",
        "https://169.254.169.254/latest/meta-data",
        "https://[fe80::1]/x",
        "https://0.0.0.0/x",
        "https://100.64.0.1/x",
    ],
)
def test_private_loopback_and_link_local_are_refused_in_production(settings, url):
    settings.FEDERATION_ALLOW_LOOPBACK = False
    with pytest.raises(FetchError, match="not a public address"):
        fetch.check_url(url)


@pytest.mark.parametrize("url", ["http://93.184.215.14/x", "ftp://93.184.215.14/x", "/relative"])
def test_only_https_in_production(settings, url):
    settings.FEDERATION_ALLOW_LOOPBACK = False
    with pytest.raises(FetchError, match="Refusing"):
        fetch.check_url(url)


def test_a_public_address_passes_the_check(settings):
    settings.FEDERATION_ALLOW_LOOPBACK = False
    fetch.check_url("https://93.184.215.14/users/x")  # resolves without DNS; no request


def test_the_test_setting_allows_loopback_only(settings):
    settings.FEDERATION_ALLOW_LOOPBACK = True
    fetch.check_url("http://127.0.0.1/x")
    with pytest.raises(FetchError):
        fetch.check_url("http://10.1.2.3/x")


@pytest.mark.parametrize(("redirects", "ok"), [(3, True), (4, False)])
def test_at_most_three_redirects(remote, redirects, ok):
    remote.add_account("mona")
    url = f"{remote.base}/redirect/{redirects}"
    if ok:
        assert fetch.get_json(url)["id"] == remote.actor_id("mona")
    else:
        with pytest.raises(FetchError, match="More than 3 redirects"):
            fetch.get_json(url)


@pytest.mark.parametrize("target", ["http://10.1.2.3/actor", "http://169.254.169.254/meta"])
def test_a_redirect_to_a_private_address_is_refused(remote, target):
    # Every hop is checked before it is made: nothing is sent to the private address.
    with pytest.raises(FetchError, match="not a public address"):
        fetch.get_json(f"{remote.base}/redirect-to?url={target}")


@pytest.mark.parametrize("chunked", ["", "1"])
@pytest.mark.parametrize(("size", "ok"), [(4096, True), (4097, False)])
def test_response_size_is_capped(remote, settings, size, ok, chunked):
    settings.FEDERATION_MAX_RESPONSE_BYTES = 4096
    url = f"{remote.base}/big/{size}" + ("?chunked=1" if chunked else "")
    if chunked and size % 1024:
        url = f"{remote.base}/big/{size + 1023}?chunked=1"  # whole kilobytes when chunked
    if ok:
        status, _, body = fetch.request("GET", url)
        assert status == 200 and len(body) == size
    else:
        with pytest.raises(FetchError, match="cap"):
            fetch.request("GET", url)


def test_a_slow_server_times_out(remote, settings):
    settings.FEDERATION_READ_TIMEOUT = 1
    with pytest.raises(FetchError, match="Timeout"):
        fetch.request("GET", f"{remote.base}/slow/3")
