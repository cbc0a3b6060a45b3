"""Dagster entry point: everything under defs/ is autoloaded.

``qbsps_orchestration.definitions`` (attribute ``defs``) serves the one company of $QBSPS_CONFIG.
A deployment serving several companies lists one code location per company instead, each naming
the company as its attribute (``qbsps companies workspace`` writes that workspace.yaml): the
attribute ``acme`` loads the definitions of ``$QBSPS_COMPANIES_DIR/acme.yaml``, with asset keys,
partition sets, pools and run tags carrying the name.
"""

from pathlib import Path

import dagster as dg

_loaded_company: list[str] = []  # the company whose definitions this process imported


@dg.definitions
def defs() -> dg.Definitions:
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)


def __getattr__(name: str) -> object:
    """``definitions.<company>``: the definitions of that company (PEP 562). The defs modules read
    the company when they are imported, so one process serves one company: a second one is refused
    by name rather than given the first one's definitions."""
    from .lib.config import ConfigError
    from .lib.config.companies import company_name, current_company, select_company

    if name.startswith("_"):
        raise AttributeError(name)
    try:
        company = company_name(name)
    except ConfigError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    serving = _loaded_company[0] if _loaded_company else current_company()
    if serving is not None and serving != company:
        raise RuntimeError(
            f"this process serves company {serving!r} and cannot load {company!r} too: run each "
            "company's code location (and Celery worker) in its own process"
        )
    if not _loaded_company:
        try:
            select_company(company)
        except ConfigError as exc:
            raise RuntimeError(str(exc)) from None
        _loaded_company.append(company)
    return defs
