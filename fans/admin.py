from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from fans.models import Follow, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "is_staff", "is_banned", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "is_banned"]
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
