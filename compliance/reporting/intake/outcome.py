"""What a submission did, in words: the version stored (or checked, or unchanged), its
figures against the previous version, and what it does to the contractor's shares and wages
owed (SPEC §5: a real submission shows the same warnings as a check)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from compliance.formatting import long_month, money, percent
from compliance.models import Report
from compliance.reporting.intake.payments import payments_summary


@dataclass(frozen=True)
class ShareChange:
    """One of the contractor's shares of a workforce commitment, before and after a report."""

    title: str
    group: str
    target: Decimal | None
    before: Decimal | None
    after: Decimal | None

    @property
    def label(self) -> str:
        return f"{self.title} ({self.group})" if self.group else self.title


@dataclass(frozen=True)
class Effects:
    """What a report does to the contractor's figures: its lines under a wage floor, each
    with what is owed on it, and the change in each of the contractor's shares."""

    underpaid: list[dict]
    shares: list[ShareChange]

    @property
    def owed(self) -> Decimal:
        return sum((Decimal(line["owed"]) for line in self.underpaid), Decimal(0))

    @property
    def worker_count(self) -> int:
        return len({line["worker"] for line in self.underpaid})

    def warnings(self, *, checked: bool) -> list[str]:
        """ "2 lines under the wage floor: $186.00 would be owed to 2 workers.", and each
        share that is (or would be) below its target after the report."""
        found = []
        if self.underpaid:
            figures = {
                "lines": lines_text(len(self.underpaid)),
                "owed": money(self.owed),
                "workers": workers_text(self.worker_count),
            }
            found.append(
                (
                    _("{lines} under the wage floor: {owed} would be owed to {workers}.")
                    if checked
                    else _("{lines} under the wage floor: {owed} is owed to {workers}.")
                ).format(**figures)
            )
        for share in self.shares:
            if share.after is None or share.target is None or share.after >= share.target:
                continue
            figures = {
                "label": share.label,
                "before": percent(share.before) if share.before is not None else _("nothing"),
                "after": percent(share.after),
                "target": percent(share.target),
            }
            if figures["before"] == figures["after"]:  # moved less than a hundredth
                words = (
                    _("{label}: your share would stay at {after}, below the target of {target}.")
                    if checked
                    else _("{label}: your share stays at {after}, below the target of {target}.")
                )
            elif checked:
                words = _(
                    "{label}: your share would go from {before} to {after}, below the "
                    "target of {target}."
                )
            else:
                words = _(
                    "{label}: your share went from {before} to {after}, below the target "
                    "of {target}."
                )
            found.append(words.format(**figures))
        return found


@dataclass(frozen=True)
class SubmitResult:
    """What a submission did: the version stored (or the current one, when nothing changed).
    A check (`checked`) stored nothing: `report` is the version it would have been."""

    report: Report
    previous: Report | None
    unchanged: bool = False
    warnings: list[dict] = field(default_factory=list)
    effects: Effects | None = None
    checked: bool = False
    payment_count: int = 0
    payments_total: Decimal = Decimal(0)

    @property
    def effect_warnings(self) -> list[str]:
        return self.effects.warnings(checked=self.checked) if self.effects else []

    @property
    def line_delta(self) -> int | None:
        return None if self.previous is None else self.report.line_count - self.previous.line_count

    @property
    def hours_delta(self) -> Decimal | None:
        if self.previous is None:
            return None
        return self.report.total_hours - self.previous.total_hours

    def summary(self) -> str:
        report = self.report
        what = _("{owner} {month} report for {project}").format(
            owner=possessive(report.assignment.contractor.name),
            month=long_month(report.period),
            project=report.assignment.project.name,
        )
        figures = {
            "version": report.version,
            "what": what,
            "lines": lines_text(report.line_count),
            "hours": f"{report.total_hours:,}",
            "workers": workers_text(report.worker_count),
        }
        if self.unchanged:
            return _(
                "Nothing changed: this is the same file as version {version} of {what}, which "
                "stays current."
            ).format(**figures)
        if self.checked:
            text = _(
                "Checked only; nothing was stored. As version {version} of {what} it would give "
                "{lines}, {hours} hours, {workers}."
            ).format(**figures)
        elif report.no_work and not report.line_count:
            text = _("Stored version {version} of {what}: no work this month.").format(**figures)
        else:
            text = _(
                "Stored version {version} of {what}: {lines}, {hours} hours, {workers}."
            ).format(**figures)
        if self.payment_count and not self.unchanged:
            text += " " + _("With {payments}.").format(
                payments=payments_summary(self.payment_count, self.payments_total)
            )
        if self.previous is not None:
            lines = ngettext("{count} line", "{count} lines", abs(self.line_delta)).format(
                count=f"{self.line_delta:+,}"
            )
            text += " " + _("Against version {version}: {lines}, {hours} hours.").format(
                version=self.previous.version, lines=lines, hours=f"{self.hours_delta:+,}"
            )
        if report.is_late:
            text += " " + (
                _("The report would be late.") if self.checked else _("The report was late.")
            )
        return text


def lines_text(count: int) -> str:
    """ "1 line", "1,200 lines" in the reader's language."""
    return ngettext("{count} line", "{count} lines", count).format(count=f"{count:,}")


def workers_text(count: int) -> str:
    return ngettext("{count} worker", "{count} workers", count).format(count=f"{count:,}")


def possessive(name: str) -> str:
    """ "Eastside Electric's", "Walsh Brothers'" (in Spanish "de Eastside Electric")."""
    if name.endswith("s"):
        return _("{contractor}'").format(contractor=name)
    return _("{contractor}'s").format(contractor=name)
