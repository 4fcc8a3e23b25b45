"""Demo data: an agent group, a contact and one user per role, with their logins printed."""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from callbacks.models import (
    AgentGroup,
    Contact,
    ContactNumber,
    Destination,
    MediaResource,
    TtsPreset,
)
from callbacks.permissions import AUDITORS, STAFF, SUPPORT_MANAGERS

DEMO_USERS = [
    # username, password, role (None: superuser)
    ("admin", "demo-admin-pass", None),
    ("manager", "demo-manager-pass", SUPPORT_MANAGERS),
    ("staff", "demo-staff-pass", STAFF),
    ("auditor", "demo-auditor-pass", AUDITORS),
]


class Command(BaseCommand):
    help = "Create demo data and one user per role (DEBUG only: the passwords are public)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "demo_setup creates users with known passwords; it runs only with DEBUG=true."
            )
        with transaction.atomic():
            self.create_configuration()
            self.create_contact()
            self.create_users()

    def create_configuration(self) -> None:
        greeting, _ = MediaResource.objects.get_or_create(
            media_resource_id=685, defaults={"name": "Greeting for agents"}
        )
        announcement, _ = TtsPreset.objects.get_or_create(
            name="Website callback",
            defaults={"text": "Обратный звонок с сайта", "voice": 3, "speed": "1.5"},
        )
        group, created = AgentGroup.objects.get_or_create(
            name="Sales",
            defaults={
                "number_code": 74999999999,
                "callback_resource_id": 1221,
                "agent_media_resource": greeting,
                "contact_tts_preset": announcement,
                "contact_ring_logic": 2,
            },
        )
        if created:
            for position, number in enumerate(["+7 812 999-99-99", "+7 495 999-99-99"]):
                destination = Destination(agent_group=group, position=position, number=number)
                destination.full_clean()
                destination.save()

    def create_contact(self) -> None:
        contact, created = Contact.objects.get_or_create(
            name="Иван Петров",
            defaults={"company": "ООО «Ромашка»", "notes": "Asked for a callback on the website."},
        )
        if created:
            number = ContactNumber(contact=contact, number="8 (912) 345-67-89", label="mobile")
            number.full_clean()
            number.save()

    def create_users(self) -> None:
        self.stdout.write("Demo logins (username / password):")
        for username, password, role in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = True
            user.is_superuser = role is None
            user.set_password(password)
            user.save()
            if role:
                user.groups.set([Group.objects.get(name=role)])
            self.stdout.write(f"  {role or 'Superuser':<17} {username} / {password}")
