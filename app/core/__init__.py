"""Shared helpers with no domain of their own, used by every package: text folding and digits (`text`), reading
spreadsheets (`spreadsheet`), the PDF fonts (`pdf`), the media types of our files (`files`) and schema field types
(`schemas`). Infrastructure (request limits, the OpenAPI error model, health) is in `app.infra`."""
