"""Every form a person submits on the site has a browser test, so a new form cannot
ship untested.

FORMS below is the list of the site's forms, by the URL name each one posts to. It is
checked both ways against what the site really has:

- the templates: every `<form method="post">` under templates/ is found, and its
  `action="{% url 'name' … %}"` read; a form without an action posts to its own page,
  whose URL name PAGES gives for its template;
- allauth's pages: every URL under accounts/ is either a form the site uses
  (ALLAUTH_FORMS) or named in ALLAUTH_UNUSED with the reason nobody reaches it.

Then every name in FORMS must be carried by `@pytest.mark.form("<name>")` on a test
in tests/e2e/ (found by reading the test files, so this runs without collecting or
running the browser tests themselves). And when the whole suite runs, as CI runs it,
tests/e2e/conftest.py fails the run for any form none of whose passing marked tests
made a browser context with JavaScript on (seen at run time, not declared).
"""

import ast
import re
from pathlib import Path

from django.conf import settings
from django.urls import URLResolver, get_resolver

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
E2E = Path(__file__).parent

# The page each action-less form is on: it posts to that page's own URL name(s).
PAGES = {
    "fans/account.html": ["account"],
    "fans/account_delete.html": ["account_delete"],
    "fans/resume_confirm.html": ["resume_digests"],
    "fans/studio_digest.html": ["studio_digest"],
    "fans/unsubscribe_confirm.html": ["unsubscribe"],
    "posts/comment_delete.html": ["comment_delete"],
    "posts/comment_edit.html": ["comment_edit"],
    "posts/studio/delete.html": ["studio_post_delete"],
    "posts/studio/edit.html": ["studio_post_create", "studio_post_edit"],
    "posts/studio/mix_delete.html": ["studio_mix_delete"],
    "posts/studio/mix_form.html": ["studio_mix_create", "studio_mix_edit"],
    "posts/studio/time_zone.html": ["studio_time_zone"],
    "posts/studio/look.html": ["studio_look"],
}
# Forms whose action is a variable: the URL name it holds.
VARIABLE_ACTIONS = {
    "account/password_reset_from_key.html": ["account_reset_password_from_key"],
}
# allauth renders the forms of the pages not restyled in templates/account/ through this
# element; they are among ALLAUTH_FORMS.
ALLAUTH_ELEMENT = "allauth/elements/form.html"
# Tested with the forms, though no form posts there: the issue lists the data export
# (a download link on the account page) among the forms.
NOT_POSTED = {"account_export"}

ALLAUTH_FORMS = [
    "account_login",
    "account_signup",
    "account_logout",
    "account_reset_password",
    "account_reset_password_from_key",
    "account_email",  # add or change the address (ACCOUNT_CHANGE_EMAIL)
    "account_confirm_email",
    "account_change_password",
    "account_set_password",  # for accounts an admin made without a password
    "account_reauthenticate",  # "type your password again" before a sensitive change
]
ALLAUTH_UNUSED = {
    "account_inactive": "a page without a form; no account is ever made inactive by the site",
    "account_email_verification_sent": "a page without a form",
    "account_reset_password_done": "a page without a form",
    "account_reset_password_from_key_done": "a page without a form",
    "account_request_reauthentication_code": "login codes are off (ACCOUNT_LOGIN_BY_CODE)",
    "account_confirm_reauthentication_code": "login codes are off",
    "account_confirm_login_code": "login codes are off",
}

FORMS = sorted(
    [
        # The artist's studio
        "studio_post_create",
        "studio_post_edit",
        "studio_post_delete",
        "studio_mix_create",
        "studio_mix_edit",
        "studio_mix_move",
        "studio_mix_delete",
        "studio_time_zone",
        "studio_look",
        "studio_digest",
        "comment_moderate",
        # Feedback on mixes (tests/e2e/test_feedback.py)
        "studio_post_downloads",
        "studio_preview_create",
        "studio_preview_revoke",
        "version_preference",
        "preview_comment",
        # The fan's side
        "comment_create",
        "comment_edit",
        "comment_delete",
        "comment_flag",
        "follow",
        "unfollow",
        "account",
        "email_preferences",
        "account_delete",
        "unsubscribe",
        "resume_digests",
        "account_export",
        # Accounts (allauth)
        *ALLAUTH_FORMS,
    ]
)

FORM_TAG = re.compile(r"<form\b[^>]*>", re.IGNORECASE | re.DOTALL)
METHOD_POST = re.compile(r"""\bmethod\s*=\s*["']?post\b""", re.IGNORECASE)
ACTION = re.compile(r"""\baction\s*=\s*"([^"]*)\"""", re.IGNORECASE)
URL_TAG = re.compile(r"""\{%\s*url\s+["']([\w:-]+)["']""")


def forms_in_templates() -> dict[str, set[str]]:
    """URL name → the templates holding a POST form for it."""
    found: dict[str, set[str]] = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        for tag in FORM_TAG.findall(path.read_text()):
            if not METHOD_POST.search(tag) and name != ALLAUTH_ELEMENT:
                continue  # GET forms (a filter, a search) change nothing
            action = ACTION.search(tag)
            if name == ALLAUTH_ELEMENT:
                targets = ALLAUTH_FORMS
            elif name in VARIABLE_ACTIONS:
                targets = VARIABLE_ACTIONS[name]
            elif action:
                url = URL_TAG.search(action.group(1))
                assert url, f"{name}: read its form's action {action.group(1)!r} into this test"
                targets = [url.group(1)]
            else:
                assert name in PAGES, f"{name} has a form posting to its own page: add to PAGES"
                targets = PAGES[name]
            for target in targets:
                found.setdefault(target, set()).add(name)
    return found


def allauth_url_names() -> set[str]:
    names = set()
    for top in get_resolver().url_patterns:
        if isinstance(top, URLResolver) and str(top.pattern) == "accounts/":
            stack = list(top.url_patterns)
            while stack:
                pattern = stack.pop()
                if isinstance(pattern, URLResolver):
                    stack.extend(pattern.url_patterns)
                elif pattern.name:
                    names.add(pattern.name)
    return names


def marked_forms() -> dict[str, list[str]]:
    """URL name → the browser test files whose tests carry `pytest.mark.form(name)`."""
    marked: dict[str, list[str]] = {}
    for path in sorted(E2E.glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "form"
                and ast.unparse(node.func.value) == "pytest.mark"
            ):
                for arg in node.args:
                    assert isinstance(arg, ast.Constant), f"{path.name}: write form names as text"
                    marked.setdefault(arg.value, []).append(path.name)
    return marked


def test_the_list_of_forms_matches_the_templates():
    found = forms_in_templates()
    missing = sorted(set(found) - set(FORMS))
    assert missing == [], f"new forms, add them to FORMS (and test them): {missing}"
    gone = sorted(set(FORMS) - set(found) - NOT_POSTED)
    assert gone == [], f"no template posts to these any more, drop them from FORMS: {gone}"


def test_every_allauth_page_is_known():
    names = allauth_url_names()
    unknown = sorted(names - set(ALLAUTH_FORMS) - set(ALLAUTH_UNUSED))
    assert unknown == [], (
        f"allauth serves new pages: a form for FORMS, or ALLAUTH_UNUSED? {unknown}"
    )
    stale = sorted((set(ALLAUTH_FORMS) | set(ALLAUTH_UNUSED)) - names)
    assert stale == [], f"allauth no longer serves these: {stale}"


def test_the_scan_sees_forms_of_each_kind():
    """The scan itself must not go blind: one form of each way it reads them."""
    found = forms_in_templates()
    assert "posts/_comment_actions.html" in found["comment_moderate"]  # {% url %} action
    assert "posts/studio/edit.html" in found["studio_mix_move"]
    assert "fans/studio_digest.html" in found["studio_digest"]  # posts to its page
    assert "base.html" in found["account_logout"]
    assert "account_login" in found  # allauth's own pages


def test_every_form_has_a_browser_test():
    marked = marked_forms()
    untested = [name for name in FORMS if name not in marked]
    assert untested == [], (
        "forms without a browser test carrying @pytest.mark.form(<url name>): "
        + ", ".join(untested)
    )
    unknown = sorted(set(marked) - set(FORMS))
    assert unknown == [], f"tests marked with names that are not forms: {unknown}"
