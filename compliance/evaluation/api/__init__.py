"""The evaluation stage's API: results and a project's compliance summary."""

from compliance.evaluation.api.evaluations import router

__all__ = ["router"]
