"""The contact's local time and a group's quiet hours in words, saying whose time each is:
«08.12.2026 14:05 (group time, Europe/Moscow) · for the contact 21:05 (Asia/Vladivostok)»."""

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext as _

from .dates import shown_datetime
from .local_time import ContactZones
from .models import AgentGroup


def group_time(moment: datetime, agent_group: AgentGroup) -> str:
    """«08.12.2026 14:05 (group time, Europe/Moscow)»."""
    return _("%(time)s (group time, %(zone)s)") % {
        "time": shown_datetime(moment, ZoneInfo(agent_group.time_zone)),
        "zone": agent_group.time_zone,
    }


def whose_time(moment: datetime, agent_group: AgentGroup, zones: ContactZones) -> str:
    """The group's time, and beside it the contact's where its zone is known."""
    shown = group_time(moment, agent_group)
    if not zones.zones:
        return shown
    day = _group_day(moment, agent_group)
    return _("%(group_time)s · for the contact %(contact_time)s") % {
        "group_time": shown,
        "contact_time": contact_clock(zones.zones, moment, day),
    }


def contact_clock(zones: Sequence[str], moment: datetime, day: date | None = None) -> str:
    """The contact's local time at `moment`: «23:40 (Asia/Vladivostok)», or across the zones it
    may be in, «from 16:40 (Europe/Kaliningrad) to 02:40 (Asia/Kamchatka)». With a `day`, the date
    is added where the contact's is another."""
    ordered = sorted(zones, key=lambda name: (_offset(name, moment), name))
    first, last = ordered[0], ordered[-1]
    if _offset(first, moment) == _offset(last, moment):
        return _local(moment, first, day, ", ".join(ordered))
    return _("from %(earliest)s to %(latest)s") % {
        "earliest": _local(moment, first, day, first),
        "latest": _local(moment, last, day, last),
    }


def window_words(agent_group: AgentGroup) -> str:
    """«from 09:00 to 21:00», «from 09:00», «until 21:00»; "" without quiet hours."""
    start, end = agent_group.contact_calls_from, agent_group.contact_calls_until
    names = {"from": _hhmm(start), "until": _hhmm(end)}
    if start is not None and end is not None:
        return _("from %(from)s to %(until)s") % names
    if start is not None:
        return _("from %(from)s") % names
    if end is not None:
        return _("until %(until)s") % names
    return ""


def quiet_hours_words(agent_group: AgentGroup) -> str:
    """«calls contacts from 09:00 to 21:00 their time», for the group's row on the page."""
    window = window_words(agent_group)
    return _("calls contacts %(window)s their time") % {"window": window} if window else ""


def zone_note(zones: ContactZones, moment: datetime) -> str:
    """What is known of the contact's zone, where it is not set on the contact."""
    if not zones.zones:
        return _("the contact's time zone is unknown: quiet hours cannot be kept")
    if not zones.guessed:
        return ""
    offsets = sorted({_offset(name, moment): name for name in zones.zones}.items())
    if len(offsets) == 1:
        return _("the time zone is guessed from the number, not known exactly")
    return _(
        "the time zone is guessed from the number, not known exactly: somewhere from %(west)s "
        "to %(east)s"
    ) % {
        "west": utc_offset(ZoneInfo(offsets[0][1]), moment),
        "east": utc_offset(ZoneInfo(offsets[-1][1]), moment),
    }


def contact_now(zones: ContactZones, now: datetime) -> str:
    """The contact's local time now with what is known of its zone, for the contact's page."""
    if not zones.zones:
        return zone_note(zones, now)
    clock = contact_clock(zones.zones, now)
    note = zone_note(zones, now)
    return _("%(clock)s; %(note)s") % {"clock": clock, "note": note} if note else clock


def quiet_at_message(
    agent_group: AgentGroup, zones: ContactZones, moment: datetime, now: datetime
) -> str:
    """Why a call at `moment` (now, or when the group opens) waits: the contact's time then and
    the window, e.g. «It is 23:40 for the contact now (Asia/Vladivostok): calls are allowed
    from 09:00 to 21:00 their time.»"""
    day = None if moment <= now else _group_day(moment, agent_group)
    clock = contact_clock(zones.zones, moment, day)
    names = {"clock": clock, "window": window_words(agent_group), "group": agent_group.name}
    if day is None:
        message = _("It is %(clock)s for the contact now: calls are allowed %(window)s their time.")
    else:
        names["opens"] = group_time(moment, agent_group)
        message = _(
            "When “%(group)s” opens, at %(opens)s, it will be %(clock)s for the contact: calls "
            "are allowed %(window)s their time."
        )
    return _with_note(message % names, zones, moment)


def typed_in_quiet_hours(
    agent_group: AgentGroup, zones: ContactZones, moment: datetime, first: datetime | None
) -> str:
    """Why a chosen time is refused: the contact's time then, the window, the first time
    allowed."""
    names = {
        "clock": contact_clock(zones.zones, moment, _group_day(moment, agent_group)),
        "window": window_words(agent_group),
    }
    message = (
        _("At that time it is %(clock)s for the contact: calls are allowed %(window)s their time.")
        % names
    )
    ahead = (
        _("The first time allowed: %(first)s.") % {"first": whose_time(first, agent_group, zones)}
        if first
        else never_meet(agent_group)
    )
    return _with_note(f"{message} {ahead}", zones, moment)


def never_meet(agent_group: AgentGroup) -> str:
    return _(
        "The working hours of “%(group)s” never fall in the hours the contact may be called in "
        "every time zone it may be in: there is no time to call this contact."
    ) % {"group": agent_group.name}


def _with_note(message: str, zones: ContactZones, moment: datetime) -> str:
    note = zone_note(zones, moment)
    return f"{message} ({note})" if note else message


def utc_offset(zone: ZoneInfo, now: datetime) -> str:
    """«UTC+3», «UTC+5:30», «UTC-3»: the zone's offset at `now`."""
    minutes = int((now.astimezone(zone).utcoffset() or timedelta()).total_seconds()) // 60
    sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
    hours, rest = divmod(minutes, 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _group_day(moment: datetime, agent_group: AgentGroup) -> date:
    return moment.astimezone(ZoneInfo(agent_group.time_zone)).date()


def _offset(name: str, moment: datetime) -> timedelta:
    return moment.astimezone(ZoneInfo(name)).utcoffset() or timedelta()


def _local(moment: datetime, name: str, day: date | None, label: str) -> str:
    local = moment.astimezone(ZoneInfo(name))
    shown = (
        formats.time_format(local, "TIME_FORMAT")
        if day is None or local.date() == day
        else formats.date_format(local, "DATETIME_FORMAT")
    )
    return f"{shown} ({label})"


def _hhmm(value: time | None) -> str:
    return "" if value is None else formats.time_format(value, "TIME_FORMAT")
