from django.contrib import admin, messages

from federation.models import BlockedInstance, Delivery, Reaction, RemoteActor, RemoteFollower


@admin.register(RemoteFollower)
class RemoteFollowerAdmin(admin.ModelAdmin):
    list_display = ["handle", "instance", "artist", "created_at"]
    list_filter = ["artist"]
    search_fields = ["actor__handle", "actor__uri"]
    list_select_related = ["actor", "artist"]
    readonly_fields = ["artist", "actor", "follow_id", "created_at"]

    @admin.display(description="handle", ordering="actor__handle")
    def handle(self, follow: RemoteFollower) -> str:
        return str(follow.actor)

    @admin.display(description="instance", ordering="actor__host")
    def instance(self, follow: RemoteFollower) -> str:
        return follow.actor.host

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(RemoteActor)
class RemoteActorAdmin(admin.ModelAdmin):
    list_display = ["__str__", "host", "name", "blocked", "fetched_at"]
    list_filter = ["blocked"]
    search_fields = ["handle", "uri", "host"]
    readonly_fields = [
        "uri",
        "host",
        "handle",
        "name",
        "url",
        "inbox",
        "shared_inbox",
        "key_id",
        "public_key_pem",
        "fetched_at",
    ]
    actions = ["block_actors", "block_instances"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Block these accounts (their follows are dropped)")
    def block_actors(self, request, queryset) -> None:
        queryset.update(blocked=True)
        dropped, _ = RemoteFollower.objects.filter(actor__in=queryset).delete()
        messages.success(request, f"Blocked {queryset.count()}; dropped {dropped} follows.")

    @admin.action(description="Block their whole instances")
    def block_instances(self, request, queryset) -> None:
        hosts = set(queryset.values_list("host", flat=True))
        for host in hosts:
            BlockedInstance.objects.get_or_create(host=host)
            RemoteFollower.objects.filter(actor__host=host).delete()
        messages.success(request, f"Blocked {', '.join(sorted(hosts))}.")


@admin.register(BlockedInstance)
class BlockedInstanceAdmin(admin.ModelAdmin):
    list_display = ["host", "reason", "created_at"]
    search_fields = ["host"]


@admin.register(Reaction)
class ReactionAdmin(admin.ModelAdmin):
    list_display = ["post", "kind", "actor", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["post", "actor"]
    readonly_fields = ["post", "actor", "kind", "activity_id", "created_at"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "attempts", "last_error", "created_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
