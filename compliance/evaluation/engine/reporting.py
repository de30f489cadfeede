"""The reporting obligation of every assignment as evaluation results (SPEC §3.4).

The rule (due dates, and which months are received, late, missing or not yet due) is
`compliance.reporting.obligation`'s. Only submissions made on or before the as-of date
count, so an evaluation as of a past date gives what was known then.
"""

import datetime
from decimal import Decimal

from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from compliance.evaluation.engine.common import ZERO, Context, month_label
from compliance.models import Evaluation, Report
from compliance.numbers import percent, round2
from compliance.reporting import obligation
from compliance.reporting.obligation import LATE, MISSING, NOT_DUE, RECEIVED
from projects.models import Agreement

ONE = Decimal(1)


def agreement_of(project) -> Agreement:
    """The agreement whose report due day governs the project's reporting obligation (its
    primary agreement, `obligation.report_due_day`), or the agreement defaults."""
    return project.agreement or Agreement(project=project)


def end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def evaluate(ctx: Context) -> list[Evaluation]:
    project, as_of = ctx.project, ctx.as_of
    agreement = agreement_of(project)
    reports = Report.objects.filter(assignment__project=project, submitted_at__lt=end_of_day(as_of))
    if ctx.changed is not None:  # only these contractors' obligations are measured again
        reports = reports.filter(assignment_id__in=sorted(ctx.changed))
    submitted = (
        reports.values("assignment_id", "period")
        .annotate(
            first_submitted=Min("submitted_at"),
            from_open_data=Count("id", filter=Q(source=Report.Source.OPEN_DATA)),
            report_id=Max("id"),
            version=Max("version"),
        )
        .order_by()
    )
    by_month = {(row["assignment_id"], row["period"]): row for row in submitted}
    evaluations = []
    due_dates = {}  # every contractor owes a month's report on the same day
    zone = timezone.get_current_timezone()  # looked up once, not once per month
    for assignment in sorted(ctx.assignments.values(), key=lambda a: a.pk):
        if not ctx.measures(assignment.pk):
            continue
        counts = {RECEIVED: 0, LATE: 0, MISSING: 0, NOT_DUE: 0}
        months, series = [], []
        received_so_far = due_so_far = ZERO
        for month in obligation.months_owed(assignment, through=as_of):
            if month not in due_dates:
                due_dates[month] = agreement.report_due_date(month)
            due_date = due_dates[month]
            report = by_month.get((assignment.pk, month))
            first = timezone.localdate(report["first_submitted"], zone) if report else None
            status = obligation.month_status(
                due_date=due_date,
                as_of=as_of,
                first_submitted=first,
                from_open_data=bool(report and report["from_open_data"]),
            )
            counts[status] += 1
            months.append(
                {
                    "month": month_label(month),
                    "due_date": due_date.isoformat(),
                    "status": status,
                    "report_id": report["report_id"] if report else None,
                    "version": report["version"] if report else None,
                    "submitted_at": report["first_submitted"].isoformat() if report else None,
                }
            )
            received = ONE if status in {RECEIVED, LATE} else ZERO
            owed = ZERO if status == NOT_DUE else ONE
            received_so_far += received
            due_so_far += owed
            series.append(
                {
                    "month": month_label(month),
                    "numerator": f"{received:.2f}",
                    "denominator": f"{owed:.2f}",
                    "percent": str(percent(received, owed)) if owed else None,
                    "cumulative_percent": str(percent(received_so_far, due_so_far))
                    if due_so_far
                    else None,
                }
            )
        due = counts[RECEIVED] + counts[LATE] + counts[MISSING]
        if not due:
            status = "no_data"
        else:
            status = "shortfall" if counts[MISSING] else "met"
        evaluations.append(
            Evaluation(
                project=project,
                commitment=None,
                commitment_key="reporting",
                kind="reporting",
                group_key=f"a{assignment.pk}",
                assignment_id=assignment.pk,
                as_of=as_of,
                numerator=round2(counts[RECEIVED] + counts[LATE]),
                denominator=round2(due),
                actual_percent=percent(Decimal(counts[RECEIVED] + counts[LATE]), due),
                target_percent=Decimal("100.00"),
                shortfall=round2(counts[MISSING]),
                projected_percent=None,
                status=status,
                series=series,
                details={
                    "due": due,
                    "on_time": counts[RECEIVED],
                    "late": counts[LATE],
                    "missing": counts[MISSING],
                    "not_yet_due": counts[NOT_DUE],
                    "months": months,
                },
                computed_at=ctx.computed_at,
            )
        )
    return evaluations
