"""One word for one thing (README, "Glossary"): an attempt belongs to its `callback` and has a
`sequence` number, its `result` is what Exolve's answer meant (a call's "outcome" comes from its
events), and a called number belongs to its `callback`.

Columns are renamed in place; the indexes and constraints over them are made again.
"""

from django.conf import settings
from django.db import migrations, models

ATTEMPT_RESULTS = [
    ("sending", "Sending"),
    ("placed", "Placed"),
    ("rejected", "Rejected"),
    ("transient", "Transient error"),
    ("unknown", "Result unknown"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("callbacks", "0009_refusal_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Indexes and constraints name their fields, and Django's state does not follow a rename:
        # they are dropped before and made again after (on SQLite a renamed foreign key remakes
        # its table from the state).
        migrations.RemoveConstraint(
            model_name="callbackattempt", name="callbackattempt_unique_number"
        ),
        migrations.RemoveIndex(model_name="callbackattempt", name="callbackattempt_outcome"),
        migrations.RemoveIndex(model_name="callbacknumber", name="callbacknumber_number"),
        migrations.RemoveConstraint(model_name="callbacknumber", name="callbacknumber_unique"),
        migrations.RenameField(
            model_name="callbackattempt", old_name="request", new_name="callback"
        ),
        migrations.RenameField(
            model_name="callbackattempt", old_name="number", new_name="sequence"
        ),
        migrations.RenameField(model_name="callbackattempt", old_name="outcome", new_name="result"),
        migrations.RenameField(
            model_name="callbacknumber", old_name="request", new_name="callback"
        ),
        migrations.AddConstraint(
            model_name="callbackattempt",
            constraint=models.UniqueConstraint(
                fields=("callback", "sequence"), name="callbackattempt_unique_sequence"
            ),
        ),
        migrations.AddIndex(
            model_name="callbackattempt",
            index=models.Index(fields=["result", "-started_at"], name="callbackattempt_result"),
        ),
        migrations.AddIndex(
            model_name="callbacknumber",
            index=models.Index(fields=["number", "callback"], name="callbacknumber_number"),
        ),
        migrations.AddConstraint(
            model_name="callbacknumber",
            constraint=models.UniqueConstraint(
                fields=("callback", "number"), name="callbacknumber_unique"
            ),
        ),
        migrations.AlterModelOptions(
            name="callbackrequest",
            options={
                "ordering": ["-requested_at", "-id"],
                "permissions": [
                    ("place_callback", "Can place, cancel and place again a callback"),
                    ("override_cooldown", "Can place a callback despite the number's cooldown"),
                ],
                "verbose_name": "callback",
                "verbose_name_plural": "callbacks",
            },
        ),
        migrations.AlterField(
            model_name="callbackattempt",
            name="callback",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.deletion.PROTECT,
                related_name="attempts",
                to="callbacks.callbackrequest",
                verbose_name="callback",
            ),
        ),
        migrations.AlterField(
            model_name="callbackattempt",
            name="sequence",
            field=models.PositiveSmallIntegerField(
                help_text="1 for the callback's first attempt, 2 for the next …",
                verbose_name="attempt no.",
            ),
        ),
        migrations.AlterField(
            model_name="callbackattempt",
            name="result",
            field=models.CharField(
                choices=ATTEMPT_RESULTS, default="sending", max_length=16, verbose_name="result"
            ),
        ),
        migrations.AlterField(
            model_name="callbacknumber",
            name="callback",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.deletion.CASCADE,
                related_name="numbers",
                to="callbacks.callbackrequest",
                verbose_name="callback",
            ),
        ),
        migrations.AlterField(
            model_name="callbackrequest",
            name="agent_group",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.deletion.PROTECT,
                related_name="callbacks",
                to="callbacks.agentgroup",
                verbose_name="agent group",
            ),
        ),
        migrations.AlterField(
            model_name="callbackrequest",
            name="contact",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.deletion.PROTECT,
                related_name="callbacks",
                to="callbacks.contact",
                verbose_name="contact",
            ),
        ),
        migrations.AlterField(
            model_name="callbackrequest",
            name="requested_by",
            field=models.ForeignKey(
                db_index=False,
                on_delete=models.deletion.PROTECT,
                related_name="callbacks",
                to=settings.AUTH_USER_MODEL,
                verbose_name="requested by",
            ),
        ),
        migrations.AlterField(
            model_name="callbackrequest",
            name="request_description",
            field=models.CharField(
                help_text="Our id for the callback, sent to Exolve.",
                max_length=64,
                unique=True,
                verbose_name="request description",
            ),
        ),
        migrations.AlterField(
            model_name="callbackrequest",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("sending", "Sending"),
                    ("placed", "Placed"),
                    ("failed", "Failed"),
                    ("unknown", "Result unknown"),
                    ("cancelled", "Cancelled"),
                    ("refused", "Refused"),
                ],
                default="pending",
                max_length=16,
                verbose_name="status",
            ),
        ),
    ]
