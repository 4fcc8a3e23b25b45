"""An index for the call log's search by the start of the contact's name, on PostgreSQL only.

Django writes `contact__name__istartswith` as `UPPER(name::text) LIKE UPPER('Ив%')`, which the
plain `contact_name` index cannot serve. An index on UPPER(name) can, but in a collation other
than C (production runs ru_RU.UTF-8) a LIKE prefix needs the pattern operator class, which
compares characters byte by byte. SQLite has no operator classes (and its LIKE ignores case
itself), so the index is not on Contact.Meta.indexes, where SQLite would have to create it too.
"""

from django.db import migrations

INDEX = "contact_name_prefix"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # UPPER() gives text: text_pattern_ops is the class of its type.
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" '
            'ON "callbacks_contact" (UPPER("name") text_pattern_ops)'
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [
        ("callbacks", "0016_reaching_the_person"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
