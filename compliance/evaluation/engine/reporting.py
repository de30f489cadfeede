"""The reporting obligation of every assignment (SPEC §3.4).

An assignment owes one report per calendar month from the month it starts to the month its
obligation ends (its own end date, or the project's expected completion), due on the
agreement's `report_due_day` of the next month. As of a date, each month is:
- `received`: first submitted on or before its due date (a "no work" report counts);
- `late`: first submitted after its due date;
- `missing`: nothing submitted and the due date has passed;
- `not_due`: nothing submitted yet and the due date has not passed.
Only submissions made on or before the as-of date count, so an evaluation as of a past
date gives what was known then. Reports due = on time + late + missing.
"""

import datetime
from decimal import Decimal

from django.db.models import Max, Min
from django.utils import timezone

from compliance.evaluation.engine.common import ZERO, Context, month_label
from compliance.models import Evaluation, Report
from compliance.months import months_between
from compliance.numbers import percent, round2
from projects.models import Agreement

ONE = Decimal(1)


def agreement_of(project) -> Agreement:
    """The project's agreement, or the agreement defaults when none is recorded yet."""
    try:
        return project.agreement
    except Agreement.DoesNotExist:
        return Agreement(project=project)


def end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def month_status(
    *, due_date: datetime.date, first_submitted: datetime.date | None, as_of: datetime.date
) -> str:
    if first_submitted is not None:
        return "late" if first_submitted > due_date else "received"
    return "missing" if as_of > due_date else "not_due"


def evaluate(ctx: Context) -> list[Evaluation]:
    project, as_of = ctx.project, ctx.as_of
    agreement = agreement_of(project)
    submitted = (
        Report.objects.filter(assignment__project=project, submitted_at__lt=end_of_day(as_of))
        .values("assignment_id", "period")
        .annotate(
            first_submitted=Min("submitted_at"),
            report_id=Max("id"),
            version=Max("version"),
        )
        .order_by()
    )
    by_month = {(row["assignment_id"], row["period"]): row for row in submitted}
    evaluations = []
    due_dates = {}  # every contractor owes a month's report on the same day
    for assignment in sorted(ctx.assignments.values(), key=lambda a: a.pk):
        end = min(assignment.end_date or project.end_date, as_of)
        counts = {"received": 0, "late": 0, "missing": 0, "not_due": 0}
        months, series = [], []
        received_so_far = due_so_far = ZERO
        for month in months_between(assignment.start_date, end):
            if month not in due_dates:
                due_dates[month] = agreement.report_due_date(month)
            due_date = due_dates[month]
            report = by_month.get((assignment.pk, month))
            first = timezone.localdate(report["first_submitted"]) if report else None
            status = month_status(due_date=due_date, first_submitted=first, as_of=as_of)
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
            received = ONE if status in {"received", "late"} else ZERO
            owed = ZERO if status == "not_due" else ONE
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
        due = counts["received"] + counts["late"] + counts["missing"]
        if not due:
            status = "no_data"
        else:
            status = "shortfall" if counts["missing"] else "met"
        evaluations.append(
            Evaluation(
                project=project,
                commitment=None,
                commitment_key="reporting",
                kind="reporting",
                group_key=f"a{assignment.pk}",
                assignment_id=assignment.pk,
                as_of=as_of,
                numerator=round2(counts["received"] + counts["late"]),
                denominator=round2(due),
                actual_percent=percent(Decimal(counts["received"] + counts["late"]), due),
                target_percent=Decimal("100.00"),
                shortfall=round2(counts["missing"]),
                projected_percent=None,
                status=status,
                series=series,
                details={
                    "due": due,
                    "on_time": counts["received"],
                    "late": counts["late"],
                    "missing": counts["missing"],
                    "not_yet_due": counts["not_due"],
                    "months": months,
                },
                computed_at=ctx.computed_at,
            )
        )
    return evaluations
