"""The compliance app's API: one router per idea, mounted together."""

from ninja import Router

from compliance.api.enforcement import router as enforcement_router
from compliance.api.evaluations import router as evaluations_router
from compliance.api.flags import router as flags_router
from compliance.api.progress import router as progress_router
from compliance.api.reports import router as reports_router

router = Router()
router.add_router("", reports_router)
router.add_router("", flags_router)
router.add_router("", enforcement_router)
router.add_router("", evaluations_router)
router.add_router("", progress_router)
