"""Gives the roles the permissions of the delivery guarantees: working hours and holidays are
configuration, the do-not-call list is kept by managers and grown by staff, and only managers
may place a callback despite the cooldown. The permissions are spelled out here, like in 0002;
_role_grants only grants them."""

from django.db import migrations

from ._role_grants import grant

CONFIGURATION = ["workinghours", "holiday", "donotcallnumber"]
HISTORY = ["callbacknumber"]


def _crud(models):
    return [
        f"{action}_{model}" for model in models for action in ("add", "change", "delete", "view")
    ]


def _view(models):
    return [f"view_{model}" for model in models]


ADDED = {
    "Support managers": _crud(CONFIGURATION) + _view(HISTORY) + ["override_cooldown"],
    "Staff": [*_view(CONFIGURATION + HISTORY), "add_donotcallnumber"],
    "Auditors": _view(CONFIGURATION + HISTORY),
}


class Migration(migrations.Migration):
    dependencies = [("callbacks", "0003_delivery_guarantees")]

    operations = [grant(ADDED)]
