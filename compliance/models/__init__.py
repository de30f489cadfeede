from compliance.models.audit import AuditEvent
from compliance.models.enforcement import EnforcementAction, LedgerEntry, Memo
from compliance.models.evaluations import Evaluation
from compliance.models.flags import Flag, FlagEvent, Notification, NotificationPreference
from compliance.models.mappings import ExportMapping
from compliance.models.payments import Payment
from compliance.models.public import PublicFigures
from compliance.models.reports import PayrollLine, ProgressEntry, Report, Worker
from compliance.models.rollups import CommitmentStanding
from compliance.models.sums import ReportCheck, ReportSum, ReportWorker

__all__ = [
    "AuditEvent",
    "CommitmentStanding",
    "EnforcementAction",
    "ExportMapping",
    "Evaluation",
    "Flag",
    "FlagEvent",
    "LedgerEntry",
    "Memo",
    "Notification",
    "NotificationPreference",
    "Payment",
    "PayrollLine",
    "PublicFigures",
    "ProgressEntry",
    "Report",
    "ReportCheck",
    "ReportSum",
    "ReportWorker",
    "Worker",
]
