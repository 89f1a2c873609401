"""The links in every page's frame (home, feeds, log in, sign up) are reversed once a
process (fanhub/context_processors.py), for each script prefix the site is served
under: a hub behind a sub-path gets its own."""

from django.urls import clear_script_prefix, reverse, set_script_prefix

from posts.models import Post


def test_the_site_links_follow_the_prefix_the_site_is_served_under(
    client, make_post, no_page_cache
):
    # gunicorn passes SCRIPT_NAME and Django sets the prefix from it; the test client
    # leaves that step out, so the test sets the prefix as Django would.
    address = make_post(title="Night drive").get_absolute_url()
    for prefix in ("", "/fans", ""):
        set_script_prefix(f"{prefix}/")
        try:
            response = client.get(address)
            page = response.content.decode()
        finally:
            clear_script_prefix()
        assert response.status_code == 200
        assert f'href="{prefix}/feed/atom/"' in page
        assert f'href="{prefix}/feed/rss/"' in page
        assert f'href="{prefix}/accounts/login/"' in page
        # The follow button's sign-up link (an inclusion tag's template: {% url %}).
        assert f'<a class="button" href="{prefix}/accounts/signup/?next=' in page
        if prefix:
            assert 'href="/feed/atom/"' not in page


def test_a_page_with_links_of_its_own_keeps_the_sites(client, member, make_post):
    # The studio's preview-link page lists "links" of its own.
    post = make_post(title="Night drive", kind=Post.Kind.NOTE)
    client.force_login(member)
    page = client.get(reverse("studio_feedback", args=[post.pk])).content.decode()
    assert 'href="/feed/atom/">Atom feed</a>' in page
    assert 'href="/feed/rss/">RSS</a>' in page
