"""Background tasks of the memos (django-q2): they receive ids, load, call a service."""

from compliance.memos.build import memo_build, memos_fail_stalled
from compliance.models import Memo


def build_memo_task(memo_id: int) -> str:
    """Build one queued memo; returns its final status (kept in django-q's task result)."""
    memo = Memo.objects.filter(pk=memo_id).first()
    if memo is None:
        return "deleted"
    return memo_build(memo=memo).status


def fail_stalled_memos() -> str:
    """Every minute: memos whose build died with its worker, and was not retried in time,
    are marked failed with the reason, so the law center can try again."""
    return f"{memos_fail_stalled()} stalled memos marked failed"
