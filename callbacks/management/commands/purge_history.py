"""The command's name before "call log" was the word (README, "Glossary"): purge_call_log."""

from .purge_call_log import Command as PurgeCallLog


class Command(PurgeCallLog):
    help = "The same as purge_call_log, under its earlier name."
