"""What registration tells the apps above it. Sent on commit, never inside the transaction."""

from django.dispatch import Signal

# An application changed state: kwargs application_id, action, from_status, to_status, actor_id.
application_transitioned = Signal()
# An application's content changed (a new 验证码 was issued): kwargs application_id, verification_code.
application_content_changed = Signal()
# Many applications changed state in one sweep (``transition_bulk``): kwargs moves (a tuple of
# (application_id, from_status)), action, to_status, actor_id.
applications_transitioned = Signal()
