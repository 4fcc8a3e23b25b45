"""The supervisor's board: the queue now, what needs a person, and each agent group's day."""
