import dagster as dg

from ...dagster_support.names import company_tags
from ..executor import one_step_batch_executor
from .assets import SPS_INVOICES, SPS_SHIP_NOTICES

outbound_documents_job = dg.define_asset_job(
    "outbound_documents_job",
    tags=company_tags(),
    selection=dg.AssetSelection.assets(
        SPS_INVOICES, SPS_SHIP_NOTICES
    ).without_checks(),  # see waiting_documents_job
    description="Build, check and send the 810 and 856 of changed QBO invoices; one partition per invoice.",
    executor_def=one_step_batch_executor(),
)
