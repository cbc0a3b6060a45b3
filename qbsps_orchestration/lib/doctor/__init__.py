"""`qbsps doctor`: does the configured setup fit together? Config, ledger, encryption key, QBO, SPS,
trading partners and the webhook receiver, each checked and reported as data (`CheckResult`)."""

from .results import CheckResult, Status
from .run import DOCTOR_RETRY, all_passed, run_doctor

__all__ = ["DOCTOR_RETRY", "CheckResult", "Status", "all_passed", "run_doctor"]
