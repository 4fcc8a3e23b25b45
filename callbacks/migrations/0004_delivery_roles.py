"""Gives the roles the permissions of the delivery guarantees: working hours and holidays are
configuration, the do-not-call list is kept by managers and grown by staff, and only managers
may place a callback despite the cooldown. Spelled out, not imported, like 0002."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONFIGURATION = ["workinghours", "holiday", "donotcallnumber"]
HISTORY = ["callbacknumber"]


def _crud(models):
    return [f"{action}_{model}" for model in models for action in ("add", "change", "delete", "view")]


def _view(models):
    return [f"view_{model}" for model in models]


ADDED = {
    "Support managers": _crud(CONFIGURATION) + _view(HISTORY) + ["override_cooldown"],
    "Staff": _view(CONFIGURATION + HISTORY) + ["add_donotcallnumber"],
    "Auditors": _view(CONFIGURATION + HISTORY),
}


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="callbacks", codename__in=codenames)
    if permissions.count() != len(codenames):
        raise RuntimeError(f"Missing permissions: {sorted(set(codenames) - {p.codename for p in permissions})}")
    return permissions


def add_permissions(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for role, codenames in ADDED.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*_permissions(apps, codenames))


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=ADDED):
        group.permissions.remove(*_permissions(apps, ADDED[group.name]))


class Migration(migrations.Migration):
    dependencies = [("callbacks", "0003_delivery_guarantees")]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
