"""The audit trail. Call `audit.record(...)` for every state change."""
from app.audit.service import Filters, export_csv, history, on_refusal, record, record_export, search, values

__all__ = ["Filters", "export_csv", "history", "on_refusal", "record", "record_export", "search", "values"]
