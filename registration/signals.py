"""What registration tells the apps above it. Sent on commit, never inside the transaction, except
``application_confirming``: a write that must happen with the confirmation, or not at all."""

from django.dispatch import Signal

# An application changed state: kwargs application_id, action, from_status, to_status, actor_id.
application_transitioned = Signal()
# Applications changed state together (``transition_many``, the deadline sweeps): kwargs application_ids,
# action, to_status, actor_id; each one's from_status is in its audit event.
applications_transitioned = Signal()
# An application's content changed (a new 验证码 was issued): kwargs application_id, verification_code.
application_content_changed = Signal()
# Sent inside the confirming transaction, the application row locked; a receiver that raises fails the
# confirmation: kwargs application, actor, fee_receipt_number (the receipt of a fee paid on site).
application_confirming = Signal()
