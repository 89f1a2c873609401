from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from fans.models import DigestDelivery, DigestPreference, Follow, User


class DigestPreferenceInline(admin.StackedInline):
    model = DigestPreference
    can_delete = False
    fields = ["frequency", "unsubscribed_at", "dormant_since", "consecutive_failures", "paused_at"]
    readonly_fields = ["unsubscribed_at", "dormant_since", "consecutive_failures"]
    extra = 0


class DigestHistoryInline(admin.TabularInline):
    model = DigestDelivery
    fields = ["created_at", "kind", "status", "subject", "sent_at", "error"]
    readonly_fields = fields
    can_delete = False
    extra = 0
    max_num = 0
    show_change_link = True
    ordering = ["-created_at"]
    verbose_name_plural = "digest history"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "display_name",
        "is_staff",
        "is_banned",
        "digests_paused",
        "is_active",
        "date_joined",
    ]
    list_filter = [
        "is_staff",
        "is_superuser",
        "is_active",
        "is_banned",
        ("digest_preference__paused_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["digest_preference"]
    inlines = [DigestPreferenceInline, DigestHistoryInline]

    @admin.display(boolean=True, description="digests paused")
    def digests_paused(self, user: User) -> bool:
        preference = getattr(user, "digest_preference", None)
        return bool(preference and preference.paused_at)

    search_fields = ["email", "display_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_banned", "is_staff", "is_superuser", "groups"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    actions = ["ban", "unban"]

    @admin.action(description="Ban selected accounts (they can still read)")
    def ban(self, request, queryset):
        count = queryset.filter(is_staff=False).update(is_banned=True)
        self.message_user(request, f"{count} account{'s' if count != 1 else ''} banned.")

    @admin.action(description="Lift the ban on selected accounts")
    def unban(self, request, queryset):
        count = queryset.update(is_banned=False)
        self.message_user(request, f"{count} account{'s' if count != 1 else ''} unbanned.")

    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["user", "artist", "created_at"]
    list_filter = ["artist"]
    list_select_related = ["user", "artist"]
    search_fields = ["user__email", "artist__name"]
    raw_id_fields = ["user"]


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    """The ledger, read-only: every digest ever sent or attempted."""

    list_display = [
        "user",
        "kind",
        "status",
        "subject",
        "created_at",
        "sent_at",
        "attempts",
        "error",
    ]
    list_filter = ["status", "kind", "created_at"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__display_name", "subject", "message_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
