"""Each commitment's standing, rolled up when a project's evaluations are stored.

The dashboard reads these rows (`CommitmentStanding`) instead of rolling every group of
every project up on each request. They are what the project page shows, because they are
made by the same two functions from the same evaluations (`evaluation_rollup`, then
`summaries_by_project`), in the transaction that stores them.
"""

from compliance.evaluation.selectors.common import evaluation_rollup, summaries_by_project
from compliance.models import CommitmentStanding, Evaluation
from projects.models import Commitment, Project


def standings_refresh(*, project: Project) -> list[CommitmentStanding]:
    """Replace the project's commitment standings with those of its stored evaluations (none
    for a commitment not evaluated). The pipeline calls it after storing them."""
    commitments = list(Commitment.objects.filter(project=project).only("id", "project_id", "key"))
    rows = evaluation_rollup(Evaluation.objects.filter(project=project))
    summaries = summaries_by_project(rows, commitments).get(project.id, [])
    CommitmentStanding.objects.filter(project=project).delete()
    return CommitmentStanding.objects.bulk_create(
        CommitmentStanding(
            project=project,
            commitment=s.commitment,
            status=s.status or "",
            **{name: getattr(s, name) for name in CommitmentStanding.FIGURES},
        )
        for s in summaries
        if s.evaluated
    )
