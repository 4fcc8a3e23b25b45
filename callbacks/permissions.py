"""Every permission the code checks, and the roles, named once.

Which role has which permission is decided by the data migrations (0002, 0004, 0006, 0008), which
spell their lists out so that they keep meaning what they meant when written."""

# Staff: place a callback, cancel it, place it again after an unknown result.
PLACE_CALLBACK = "callbacks.place_callback"
# Support managers: place a callback the number's cooldown refused.
OVERRIDE_COOLDOWN = "callbacks.override_cooldown"
# Every role: read the call log (callbacks, their attempts and call events) and its page.
VIEW_CALL_LOG = "callbacks.view_callbackrequest"

# The roles, as the migrations create them (Authentication → Groups).
SUPPORT_MANAGERS = "Support managers"
STAFF = "Staff"
AUDITORS = "Auditors"
