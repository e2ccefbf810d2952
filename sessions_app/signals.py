"""Signals of the sessions domain for the apps above it, which sessions_app does not import.

Model saves already send Django's post_save; these are for writes done as one conditional UPDATE (no save).
"""

from django.dispatch import Signal

# A finished session's times or figures were corrected by an UPDATE (central's ticket after the end):
# sender=ChargingSession, pk=<the session's pk>. discovery.waits listens (the wait estimates' history).
finished_session_corrected = Signal()
