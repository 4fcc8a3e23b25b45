"""Creates the three roles with exactly the permissions the product promises them.

The lists are spelled out here, not imported, so that this migration keeps meaning
what it meant when it was written.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONFIGURATION = ["agentgroup", "destination", "mediaresource", "ttspreset"]
CONTACTS = ["contact", "contactnumber"]
HISTORY = ["callbackrequest", "callbackattempt"]
ALL_MODELS = CONFIGURATION + CONTACTS + HISTORY


def _crud(models):
    return [
        f"{action}_{model}" for model in models for action in ("add", "change", "delete", "view")
    ]


def _view(models):
    return [f"view_{model}" for model in models]


ROLES = {
    "Support managers": _crud(CONFIGURATION) + _view(CONTACTS + HISTORY),
    "Staff": [*_crud(CONTACTS), "place_callback", *_view(CONFIGURATION + HISTORY)],
    "Auditors": _view(ALL_MODELS),
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations ran; the roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = Permission.objects.filter(
            content_type__app_label="callbacks", codename__in=codenames
        )
        if permissions.count() != len(codenames):
            raise RuntimeError(
                f"Missing permissions for {role}: {sorted(set(codenames) - {p.codename for p in permissions})}"
            )
        group.permissions.set(permissions)


def delete_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("callbacks", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, delete_roles)]
