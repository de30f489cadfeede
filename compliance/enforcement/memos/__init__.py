"""Enforcement memos (SPEC §6): gather the evaluation's numbers, render them as a PDF.

`gather` reads the database once into a JSON snapshot (the evidence); `render` turns a
snapshot into a PDF without touching the database; `build` stores both with their SHA-256.
"""
