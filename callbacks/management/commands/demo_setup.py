"""Demo data, in Russian as its users read it: two agent groups with what each side of the call
hears (one redials a contact who does not answer), two contacts, and one user per role, with their
logins printed."""

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
    Voice,
)
from callbacks.permissions import AUDITORS, STAFF, SUPPORT_MANAGERS

DEMO_USERS = [
    # username, password, role (None: superuser)
    ("admin", "demo-admin-pass", None),
    ("manager", "demo-manager-pass", SUPPORT_MANAGERS),
    ("staff", "demo-staff-pass", STAFF),
    ("auditor", "demo-auditor-pass", AUDITORS),
]


# What each side hears when it answers, read aloud by Exolve.
AGENT_TEXT = "Обратный звонок клиенту, оставившему заявку на сайте. Соединяем с клиентом."
CONTACT_TEXT = (
    "Здравствуйте! Вы заказывали обратный звонок. Соединяем с оператором, пожалуйста, подождите."
)


# The support group tries a contact who did not answer twice more, a minute apart.
REDIAL_POLICY = {
    "redial_contact_no_answer": True,
    "redial_contact_no_answer_delay": 1,
    "redial_agents_no_answer": True,
    "redial_agents_no_answer_delay": 1,
    "max_attempts": 3,
    "expiry_hours": 24,
}
# scripts/run-demo tells the sandbox this contact misses the first call (--miss 79127654321:1).
DEMO_MISSED_NUMBER = "8 (912) 765-43-21"


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
            self.create_contacts()
            self.create_users()

    def create_configuration(self) -> None:
        """Each side hears what is meant for it: the agents who the call is for, the contact that
        an agent is being rung."""
        for_agents = self.media_resource(685, "Оператору: обратный звонок клиенту с сайта")
        self.media_resource(686, "Клиенту: соединяем с оператором, пожалуйста, подождите")
        self.tts_preset("Оператору: клиент с сайта", AGENT_TEXT)
        for_contact = self.tts_preset("Клиенту: соединяем с оператором", CONTACT_TEXT)
        audio = {"agent_media_resource": for_agents, "contact_tts_preset": for_contact}
        self.agent_group("Отдел продаж", ["+7 812 999-99-99", "+7 495 999-99-99"], audio)
        self.agent_group("Служба поддержки", ["+7 343 999-99-99"], audio | REDIAL_POLICY)

    @staticmethod
    def agent_group(name: str, numbers: list[str], settings: dict[str, Any]) -> AgentGroup:
        group, created = AgentGroup.objects.get_or_create(
            name=name,
            defaults={
                "number_code": 74999999999,
                "callback_resource_id": 1221,
                "contact_ring_logic": 2,
                **settings,
            },
        )
        if created:
            for position, number in enumerate(numbers, start=1):
                destination = Destination(agent_group=group, position=position, number=number)
                destination.full_clean()
                destination.save()
        return group

    @staticmethod
    def media_resource(exolve_id: int, name: str) -> MediaResource:
        resource, _ = MediaResource.objects.get_or_create(
            media_resource_id=exolve_id, defaults={"name": name}
        )
        if resource.name != name:  # an older demo's English name
            resource.name = name
            resource.save()
        return resource

    @staticmethod
    def tts_preset(name: str, text: str) -> TtsPreset:
        preset, _ = TtsPreset.objects.get_or_create(
            name=name, defaults={"text": text, "voice": Voice.ALYONA, "speed": "1.2"}
        )
        return preset

    def create_contacts(self) -> None:
        self.contact(
            "Иван Петров",
            "ООО «Ромашка»",
            "Оставил заявку на обратный звонок на сайте.",
            "8 (912) 345-67-89",
        )
        self.contact(
            "Ольга Смирнова",
            "ИП Смирнова",
            "Просила перезвонить; в первый раз не берёт трубку (песочница так настроена).",
            DEMO_MISSED_NUMBER,
        )

    @staticmethod
    def contact(name: str, company: str, notes: str, number: str) -> None:
        contact, created = Contact.objects.get_or_create(
            name=name, defaults={"company": company, "notes": notes}
        )
        if created:
            row = ContactNumber(contact=contact, position=1, number=number, label="мобильный")
            row.full_clean()
            row.save()

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
