"""Everyone who reads the history reads the call events too: they are history."""

from django.db import migrations

from ._role_grants import grant

ADDED = {role: ["view_callevent"] for role in ("Support managers", "Staff", "Auditors")}


class Migration(migrations.Migration):
    dependencies = [("callbacks", "0005_call_events")]

    operations = [grant(ADDED)]
