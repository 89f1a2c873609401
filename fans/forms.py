import re

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms

from fans.models import DigestPreference, User
from posts.forms import AvatarUploadField
from posts.media import replace_file


class ProfileForm(forms.ModelForm):
    avatar_upload = AvatarUploadField(
        required=False,
        label="Avatar",
        help_text="Optional. JPEG, PNG, WebP or GIF; location data is removed.",
    )
    remove_avatar = forms.BooleanField(required=False, label="Remove my avatar")

    class Meta:
        model = User
        fields = ["display_name"]
        labels = {"display_name": "Display name"}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if not self.instance.avatar:
            del self.fields["remove_avatar"]
        if self.instance.is_banned:
            # Their name still signs their old comments: a ban freezes it, and takes
            # no new avatars. Removing one stays possible.
            self.fields["display_name"].disabled = True
            self.fields["display_name"].help_text = "A banned account can't change its name."
            del self.fields["avatar_upload"]

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        image = self.cleaned_data.get("avatar_upload")
        if image or self.cleaned_data.get("remove_avatar"):
            replace_file(user.avatar, image and image.full)
        if commit:
            user.save()
        return user


class DeleteAccountForm(forms.Form):
    erase_comments = forms.BooleanField(
        required=False,
        label="Also erase the text of my comments",
        help_text="Otherwise they stay, signed “deleted fan”, so conversations keep making sense.",
    )
    confirm = forms.BooleanField(
        required=True,
        label="Yes, delete my account",
        error_messages={"required": "Tick this box to confirm."},
    )


class DigestPreferenceForm(forms.ModelForm):
    class Meta:
        model = DigestPreference
        fields = ["frequency"]
        labels = {"frequency": "Digest emails"}
        widgets = {"frequency": forms.RadioSelect}


class SignupForm(forms.Form):
    """The extra field on allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS): the name
    shown next to a fan's comments. Optional: left empty, it comes from the email
    address's local part ("jo.smith+fans@…" → "jo smith"), or "Fan 123" when that has
    no letters."""

    field_order = ["email", "display_name", "password1", "password2"]

    display_name = forms.CharField(
        max_length=User._meta.get_field("display_name").max_length,
        required=False,
        label="Your name (optional)",
        help_text="Shown next to your comments. Left empty, we use the part of your email "
        "address before the @. You can change it any time on your account page.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )

    def signup(self, request, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"].strip() or default_display_name(user)
        user.save(update_fields=["display_name"])


def default_display_name(user: User) -> str:
    local = user.email.split("@")[0].split("+")[0]
    name = " ".join(re.split(r"[._\-]+", local)).strip()[:30]
    return name if re.search(r"[^\W\d_]", name) else f"Fan {user.pk}"


class LoginForm(AllauthLoginForm):
    """allauth's login form in the site's words (ACCOUNT_FORMS)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""  # the page links "Forgot your password?"
        if "remember" in self.fields:
            self.fields["remember"].label = "Keep me logged in on this device"
