"""The compliance engine (SPEC §3): `measure.py` measures a project with the commitment kinds
of `compliance.evaluation.kinds`; the other modules are the pieces it and the kinds share."""
