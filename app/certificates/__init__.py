"""Certificates: numbering, the printed certificate (render.py: pure data → PDF bytes) and public verification."""
