"""Destinations and contact numbers in the order they are dialled: each group's destinations and
each contact's numbers numbered 1…n in their current order (position, then id), where every new row
used to get position 0; the ordering (position, id); and range, uniqueness and yes/no messages in
our words."""

import itertools
from decimal import Decimal

import django.core.validators
from django.db import migrations, models


def renumber(model, owner, batch_size=1000):
    """Each owner's rows 1…n in (position, id) order, a batch of owners at a time (a contact table
    may be large); only the rows whose place changes are written."""
    owners = list(model.objects.order_by(owner).values_list(owner, flat=True).distinct())
    for start in range(0, len(owners), batch_size):
        batch = owners[start : start + batch_size]
        rows = model.objects.filter(**{f"{owner}__in": batch}).order_by(owner, "position", "id")
        changed = []
        for _owner, own_rows in itertools.groupby(rows, key=lambda row: getattr(row, owner)):
            for place, row in enumerate(own_rows, start=1):
                if row.position != place:
                    row.position = place
                    changed.append(row)
        model.objects.bulk_update(changed, ["position"])


def number_rows(apps, schema_editor):
    renumber(apps.get_model("callbacks", "Destination"), "agent_group_id")
    renumber(apps.get_model("callbacks", "ContactNumber"), "contact_id")


class Migration(migrations.Migration):
    dependencies = [
        ("callbacks", "0014_cooldown_hand_over"),
    ]

    operations = [
        migrations.RunPython(number_rows, migrations.RunPython.noop, elidable=True),
        migrations.AlterModelOptions(
            name="contactnumber",
            options={
                "ordering": ["position", "id"],
                "verbose_name": "phone number",
                "verbose_name_plural": "phone numbers",
            },
        ),
        migrations.AlterModelOptions(
            name="destination",
            options={
                "ordering": ["position", "id"],
                "verbose_name": "destination",
                "verbose_name_plural": "destinations",
            },
        ),
        migrations.AlterField(
            model_name="agentgroup",
            name="callback_resource_id",
            field=models.PositiveBigIntegerField(
                help_text="The callback resource created in your Exolve application.",
                validators=[
                    django.core.validators.MinValueValidator(
                        1, message="Enter the id of the callback resource Exolve shows, e.g. 1221."
                    ),
                    django.core.validators.MaxValueValidator(
                        9223372036854775807,
                        message="Enter the id of the callback resource Exolve shows, e.g. 1221.",
                    ),
                ],
                verbose_name="callback resource id",
            ),
        ),
        migrations.AlterField(
            model_name="agentgroup",
            name="contact_first",
            field=models.BooleanField(
                default=False,
                help_text="Ticked: the contact is dialled on line 1 and the agents on line 2. Unticked: the agents first.",
                verbose_name="dial the contact first",
            ),
        ),
        migrations.AlterField(
            model_name="agentgroup",
            name="contact_timeout",
            field=models.PositiveSmallIntegerField(
                default=30,
                help_text="How long each of the contact's numbers rings, from 10 to 600 seconds.",
                validators=[
                    django.core.validators.MinValueValidator(
                        10,
                        message="A ring timeout must be from 10 to 600 seconds: Exolve takes no other.",
                    ),
                    django.core.validators.MaxValueValidator(
                        600,
                        message="A ring timeout must be from 10 to 600 seconds: Exolve takes no other.",
                    ),
                ],
                verbose_name="contact: ring timeout, seconds",
            ),
        ),
        migrations.AlterField(
            model_name="agentgroup",
            name="duration",
            field=models.PositiveIntegerField(
                default=1800,
                help_text="From 300 to 3600 (default 1800).",
                validators=[
                    django.core.validators.MinValueValidator(
                        300,
                        message="The maximum call length must be from 300 to 3600 seconds (5 to 60 minutes): Exolve takes no other.",
                    ),
                    django.core.validators.MaxValueValidator(
                        3600,
                        message="The maximum call length must be from 300 to 3600 seconds (5 to 60 minutes): Exolve takes no other.",
                    ),
                ],
                verbose_name="maximum call length, seconds",
            ),
        ),
        migrations.AlterField(
            model_name="agentgroup",
            name="is_active",
            field=models.BooleanField(
                default=True,
                help_text="Ticked: staff may call back through this group. Unticked: it is kept, but not offered.",
                verbose_name="active",
            ),
        ),
        migrations.AlterField(
            model_name="agentgroup",
            name="name",
            field=models.CharField(
                error_messages={"unique": "An agent group with this name already exists."},
                max_length=100,
                unique=True,
                verbose_name="name",
            ),
        ),
        migrations.AlterField(
            model_name="agentgroup",
            name="number_code",
            field=models.PositiveBigIntegerField(
                help_text="Your Exolve number used for the callback service, e.g. 74999999999.",
                validators=[
                    django.core.validators.MinValueValidator(
                        1,
                        message="Enter your Exolve number in international digits, e.g. 74999999999.",
                    ),
                    django.core.validators.MaxValueValidator(
                        9223372036854775807,
                        message="Enter your Exolve number in international digits, e.g. 74999999999.",
                    ),
                ],
                verbose_name="Exolve number",
            ),
        ),
        migrations.AlterField(
            model_name="destination",
            name="timeout",
            field=models.PositiveSmallIntegerField(
                default=30,
                help_text="From 10 to 600.",
                validators=[
                    django.core.validators.MinValueValidator(
                        10,
                        message="A ring timeout must be from 10 to 600 seconds: Exolve takes no other.",
                    ),
                    django.core.validators.MaxValueValidator(
                        600,
                        message="A ring timeout must be from 10 to 600 seconds: Exolve takes no other.",
                    ),
                ],
                verbose_name="ring timeout, seconds",
            ),
        ),
        migrations.AlterField(
            model_name="historicalagentgroup",
            name="callback_resource_id",
            field=models.PositiveBigIntegerField(
                help_text="The callback resource created in your Exolve application.",
                validators=[
                    django.core.validators.MinValueValidator(
                        1, message="Enter the id of the callback resource Exolve shows, e.g. 1221."
                    ),
                    django.core.validators.MaxValueValidator(
                        9223372036854775807,
                        message="Enter the id of the callback resource Exolve shows, e.g. 1221.",
                    ),
                ],
                verbose_name="callback resource id",
            ),
        ),
        migrations.AlterField(
            model_name="historicalagentgroup",
            name="contact_first",
            field=models.BooleanField(
                default=False,
                help_text="Ticked: the contact is dialled on line 1 and the agents on line 2. Unticked: the agents first.",
                verbose_name="dial the contact first",
            ),
        ),
        migrations.AlterField(
            model_name="historicalagentgroup",
            name="contact_timeout",
            field=models.PositiveSmallIntegerField(
                default=30,
                help_text="How long each of the contact's numbers rings, from 10 to 600 seconds.",
                validators=[
                    django.core.validators.MinValueValidator(
                        10,
                        message="A ring timeout must be from 10 to 600 seconds: Exolve takes no other.",
                    ),
                    django.core.validators.MaxValueValidator(
                        600,
                        message="A ring timeout must be from 10 to 600 seconds: Exolve takes no other.",
                    ),
                ],
                verbose_name="contact: ring timeout, seconds",
            ),
        ),
        migrations.AlterField(
            model_name="historicalagentgroup",
            name="duration",
            field=models.PositiveIntegerField(
                default=1800,
                help_text="From 300 to 3600 (default 1800).",
                validators=[
                    django.core.validators.MinValueValidator(
                        300,
                        message="The maximum call length must be from 300 to 3600 seconds (5 to 60 minutes): Exolve takes no other.",
                    ),
                    django.core.validators.MaxValueValidator(
                        3600,
                        message="The maximum call length must be from 300 to 3600 seconds (5 to 60 minutes): Exolve takes no other.",
                    ),
                ],
                verbose_name="maximum call length, seconds",
            ),
        ),
        migrations.AlterField(
            model_name="historicalagentgroup",
            name="is_active",
            field=models.BooleanField(
                default=True,
                help_text="Ticked: staff may call back through this group. Unticked: it is kept, but not offered.",
                verbose_name="active",
            ),
        ),
        migrations.AlterField(
            model_name="historicalagentgroup",
            name="name",
            field=models.CharField(
                db_index=True,
                error_messages={"unique": "An agent group with this name already exists."},
                max_length=100,
                verbose_name="name",
            ),
        ),
        migrations.AlterField(
            model_name="historicalagentgroup",
            name="number_code",
            field=models.PositiveBigIntegerField(
                help_text="Your Exolve number used for the callback service, e.g. 74999999999.",
                validators=[
                    django.core.validators.MinValueValidator(
                        1,
                        message="Enter your Exolve number in international digits, e.g. 74999999999.",
                    ),
                    django.core.validators.MaxValueValidator(
                        9223372036854775807,
                        message="Enter your Exolve number in international digits, e.g. 74999999999.",
                    ),
                ],
                verbose_name="Exolve number",
            ),
        ),
        migrations.AlterField(
            model_name="historicaldestination",
            name="timeout",
            field=models.PositiveSmallIntegerField(
                default=30,
                help_text="From 10 to 600.",
                validators=[
                    django.core.validators.MinValueValidator(
                        10,
                        message="A ring timeout must be from 10 to 600 seconds: Exolve takes no other.",
                    ),
                    django.core.validators.MaxValueValidator(
                        600,
                        message="A ring timeout must be from 10 to 600 seconds: Exolve takes no other.",
                    ),
                ],
                verbose_name="ring timeout, seconds",
            ),
        ),
        migrations.AlterField(
            model_name="historicalmediaresource",
            name="media_resource_id",
            field=models.PositiveBigIntegerField(
                db_index=True,
                error_messages={
                    "unique": "This Exolve id is already given to another media resource."
                },
                help_text="The id Exolve gave the uploaded audio file.",
                validators=[
                    django.core.validators.MinValueValidator(
                        1, message="Enter the id Exolve gave the uploaded audio file, e.g. 685."
                    ),
                    django.core.validators.MaxValueValidator(
                        9223372036854775807,
                        message="Enter the id Exolve gave the uploaded audio file, e.g. 685.",
                    ),
                ],
                verbose_name="media resource id",
            ),
        ),
        migrations.AlterField(
            model_name="historicalmediaresource",
            name="name",
            field=models.CharField(
                db_index=True,
                error_messages={"unique": "A media resource with this name already exists."},
                max_length=100,
                verbose_name="name",
            ),
        ),
        migrations.AlterField(
            model_name="historicalttspreset",
            name="name",
            field=models.CharField(
                db_index=True,
                error_messages={"unique": "A TTS preset with this name already exists."},
                max_length=100,
                verbose_name="name",
            ),
        ),
        migrations.AlterField(
            model_name="historicalttspreset",
            name="speed",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("1.0"),
                error_messages={
                    "max_decimal_places": "The speed must be from 0.1 to 3.0, with at most two decimals (1.0 is the usual pace).",
                    "max_digits": "The speed must be from 0.1 to 3.0, with at most two decimals (1.0 is the usual pace).",
                    "max_whole_digits": "The speed must be from 0.1 to 3.0, with at most two decimals (1.0 is the usual pace).",
                },
                help_text="From 0.1 to 3.0 (default 1.0).",
                max_digits=3,
                validators=[
                    django.core.validators.MinValueValidator(
                        Decimal("0.1"),
                        message="The speed must be from 0.1 to 3.0, with at most two decimals (1.0 is the usual pace).",
                    ),
                    django.core.validators.MaxValueValidator(
                        Decimal("3.0"),
                        message="The speed must be from 0.1 to 3.0, with at most two decimals (1.0 is the usual pace).",
                    ),
                ],
                verbose_name="speed",
            ),
        ),
        migrations.AlterField(
            model_name="historicalttspreset",
            name="volume",
            field=models.SmallIntegerField(
                default=-19,
                help_text="From -149 to 0 (default -19).",
                validators=[
                    django.core.validators.MinValueValidator(
                        -149, message="The volume must be from -149 to 0 (0 is the loudest)."
                    ),
                    django.core.validators.MaxValueValidator(
                        0, message="The volume must be from -149 to 0 (0 is the loudest)."
                    ),
                ],
                verbose_name="volume",
            ),
        ),
        migrations.AlterField(
            model_name="mediaresource",
            name="media_resource_id",
            field=models.PositiveBigIntegerField(
                error_messages={
                    "unique": "This Exolve id is already given to another media resource."
                },
                help_text="The id Exolve gave the uploaded audio file.",
                unique=True,
                validators=[
                    django.core.validators.MinValueValidator(
                        1, message="Enter the id Exolve gave the uploaded audio file, e.g. 685."
                    ),
                    django.core.validators.MaxValueValidator(
                        9223372036854775807,
                        message="Enter the id Exolve gave the uploaded audio file, e.g. 685.",
                    ),
                ],
                verbose_name="media resource id",
            ),
        ),
        migrations.AlterField(
            model_name="mediaresource",
            name="name",
            field=models.CharField(
                error_messages={"unique": "A media resource with this name already exists."},
                max_length=100,
                unique=True,
                verbose_name="name",
            ),
        ),
        migrations.AlterField(
            model_name="ttspreset",
            name="name",
            field=models.CharField(
                error_messages={"unique": "A TTS preset with this name already exists."},
                max_length=100,
                unique=True,
                verbose_name="name",
            ),
        ),
        migrations.AlterField(
            model_name="ttspreset",
            name="speed",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("1.0"),
                error_messages={
                    "max_decimal_places": "The speed must be from 0.1 to 3.0, with at most two decimals (1.0 is the usual pace).",
                    "max_digits": "The speed must be from 0.1 to 3.0, with at most two decimals (1.0 is the usual pace).",
                    "max_whole_digits": "The speed must be from 0.1 to 3.0, with at most two decimals (1.0 is the usual pace).",
                },
                help_text="From 0.1 to 3.0 (default 1.0).",
                max_digits=3,
                validators=[
                    django.core.validators.MinValueValidator(
                        Decimal("0.1"),
                        message="The speed must be from 0.1 to 3.0, with at most two decimals (1.0 is the usual pace).",
                    ),
                    django.core.validators.MaxValueValidator(
                        Decimal("3.0"),
                        message="The speed must be from 0.1 to 3.0, with at most two decimals (1.0 is the usual pace).",
                    ),
                ],
                verbose_name="speed",
            ),
        ),
        migrations.AlterField(
            model_name="ttspreset",
            name="volume",
            field=models.SmallIntegerField(
                default=-19,
                help_text="From -149 to 0 (default -19).",
                validators=[
                    django.core.validators.MinValueValidator(
                        -149, message="The volume must be from -149 to 0 (0 is the loudest)."
                    ),
                    django.core.validators.MaxValueValidator(
                        0, message="The volume must be from -149 to 0 (0 is the loudest)."
                    ),
                ],
                verbose_name="volume",
            ),
        ),
    ]
