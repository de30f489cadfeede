"""The enforcement stage's API: flags, memos and enforcement actions."""

from ninja import Router

from compliance.enforcement.api.enforcement import router as enforcement_router
from compliance.enforcement.api.flags import router as flags_router

router = Router()
router.add_router("", flags_router)
router.add_router("", enforcement_router)
