"""Giving roles permissions in a data migration (a module Django's migration loader skips, as
its name starts with "_"). The migrations spell out which permissions; this only grants them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="callbacks", codename__in=codenames
    )
    if permissions.count() != len(codenames):
        raise RuntimeError(
            f"Missing permissions: {sorted(set(codenames) - {p.codename for p in permissions})}"
        )
    return permissions


def grant(added):
    """A RunPython that gives each role in `added` ({role: [codename, …]}) its permissions, and back."""

    def add_permissions(apps, schema_editor):
        for app_config in apps.get_app_configs():
            app_config.models_module = True
            create_permissions(app_config, apps=apps, verbosity=0)
            app_config.models_module = None
        Group = apps.get_model("auth", "Group")
        for role, codenames in added.items():
            group, _ = Group.objects.get_or_create(name=role)
            group.permissions.add(*_permissions(apps, codenames))

    def remove_permissions(apps, schema_editor):
        Group = apps.get_model("auth", "Group")
        for group in Group.objects.filter(name__in=added):
            group.permissions.remove(*_permissions(apps, added[group.name]))

    return migrations.RunPython(add_permissions, remove_permissions)
