"""The enforcement stage's API: flags, memos, enforcement actions and the ledger."""

from ninja import Router

from compliance.enforcement.api.enforcement import router as enforcement_router
from compliance.enforcement.api.flags import router as flags_router
from compliance.enforcement.api.ledger import router as ledger_router

router = Router()
router.add_router("", flags_router)
router.add_router("", enforcement_router)
router.add_router("", ledger_router)
