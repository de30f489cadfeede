"""The reporting stage's API: reports filed and progress recorded."""

from ninja import Router

from compliance.reporting.api.opendata import router as opendata_router
from compliance.reporting.api.progress import router as progress_router
from compliance.reporting.api.reports import router as reports_router

router = Router()
router.add_router("", reports_router)
router.add_router("", progress_router)
router.add_router("", opendata_router)
