"""Every role may read who changed the configuration and the contacts. No role gets add, change or
delete on that record, and the admin refuses them to everyone."""

from django.db import migrations

from ._role_grants import grant

TRAIL = [
    "view_historicalagentgroup",
    "view_historicaldestination",
    "view_historicalworkinghours",
    "view_historicalholiday",
    "view_historicalmediaresource",
    "view_historicalttspreset",
    "view_historicalcontact",
    "view_historicalcontactnumber",
]

ADDED = dict.fromkeys(("Support managers", "Staff", "Auditors"), TRAIL)


class Migration(migrations.Migration):
    dependencies = [("callbacks", "0007_change_trail")]

    operations = [grant(ADDED)]
