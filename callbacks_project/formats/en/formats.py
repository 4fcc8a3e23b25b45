# One date format throughout the English interface: 7 Dec 2026, 14:05 (a 24-hour clock, as the
# Russian interface and Exolve's records have).
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
