"""The audit trail. Call `audit.record(...)` for every state change."""
from app.audit.service import Filters, export_csv, history, record, record_export, search, values

__all__ = ["Filters", "export_csv", "history", "record", "record_export", "search", "values"]
