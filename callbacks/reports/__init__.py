"""Reports: each agent group's callbacks over time, counted per hour (figures.py), kept in a
rollup on PostgreSQL (rollup.py) and read per hour, day or week of a time zone (series.py)."""
