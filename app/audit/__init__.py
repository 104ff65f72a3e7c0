"""The audit trail. Call `audit.record(...)` for every state change."""
from app.audit.service import history, record

__all__ = ["history", "record"]
