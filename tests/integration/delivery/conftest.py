import pytest

from tests.helpers import ask_for_callback


@pytest.fixture
def callback(contact, agent_group, staff_user, queued, django_capture_on_commit_callbacks):
    """The contact's callback through the agent group, saved and queued as after a commit."""
    with django_capture_on_commit_callbacks(execute=True):
        return ask_for_callback(contact, agent_group, staff_user)
