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
