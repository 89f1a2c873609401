from django import forms

from fans.models import DigestPreference, User
from posts.forms import ImageUploadField


class ProfileForm(forms.ModelForm):
    avatar_upload = ImageUploadField(
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
