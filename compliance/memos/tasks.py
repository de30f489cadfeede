"""Background tasks of the memos (django-q2): they receive ids, load, call a service."""

from compliance.memos.build import memo_build
from compliance.models import Memo


def build_memo_task(memo_id: int) -> str:
    """Build one queued memo; returns its final status (kept in django-q's task result)."""
    memo = Memo.objects.filter(pk=memo_id).first()
    if memo is None:
        return "deleted"
    return memo_build(memo=memo).status
