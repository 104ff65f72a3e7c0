"""Training materials: upload, organise by module, download only by those who may (issue #9)."""
