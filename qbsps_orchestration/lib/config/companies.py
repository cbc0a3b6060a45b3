"""Several companies in one deployment. Each company (one QBO company and its SPS account) has a
name and its own config file, ``<name>.yaml`` in $QBSPS_COMPANIES_DIR, which names its own
credentials, trading partners and ledger. The name selects that file for the qbsps commands
(``--company``) and for the company's Dagster code location (``qbsps_orchestration.definitions``,
attribute ``<name>``), and prefixes what the company owns in the shared Dagster instance.

Each company keeps its own ledger (its cursors, documents, tokens and request budget), so no row
can cross; `deployment_problems` refuses a directory where two companies would share one.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from .errors import ConfigError
from .loader import CONFIG_ENV, load_config

COMPANY_ENV = "QBSPS_COMPANY"
COMPANIES_DIR_ENV = "QBSPS_COMPANIES_DIR"
_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
# `definitions.defs` is the single-company entry point: no company may shadow it.
_RESERVED = frozenset({"defs"})


def company_name(value: str) -> str:
    """A company name as asset keys, pools and queues carry it: lower-case letters, digits and
    underscores, starting with a letter, at most 40 characters."""
    name = value.strip()
    if not _NAME.fullmatch(name) or name in _RESERVED:
        raise ConfigError(
            None,
            [
                (
                    "company",
                    f"{value!r} is not a company name (lower-case letters, digits and _, starting with "
                    "a letter, at most 40; not 'defs')",
                )
            ],
        )
    return name


def current_company() -> str | None:
    """The company this process serves ($QBSPS_COMPANY), or None in a single-company deployment."""
    value = os.environ.get(COMPANY_ENV, "").strip()
    return company_name(value) if value else None


def qbsps_command(arguments: str) -> str:
    """A qbsps command line as advice shows it: with ``--company NAME`` in a deployment of several,
    so the command an operator copies acts on the company the advice is about."""
    company = current_company()
    return f"qbsps --company {company} {arguments}" if company else f"qbsps {arguments}"


def companies_dir(directory: Path | str | None = None) -> Path:
    """The folder of company config files: `directory`, else $QBSPS_COMPANIES_DIR."""
    given = directory if directory is not None else os.environ.get(COMPANIES_DIR_ENV, "").strip()
    if not given:
        raise ConfigError(None, [("", f"no companies folder given and {COMPANIES_DIR_ENV} is not set")])
    path = Path(given).expanduser().resolve()
    if not path.is_dir():
        raise ConfigError(path, [("", "the companies folder does not exist")])
    return path


def company_names(directory: Path | str | None = None) -> list[str]:
    """The companies of the folder: the names of its ``*.yaml`` files, sorted."""
    folder = companies_dir(directory)
    return sorted(path.stem for path in folder.glob("*.yaml"))


def company_config_path(name: str, directory: Path | str | None = None) -> Path:
    folder = companies_dir(directory)
    path = folder / f"{company_name(name)}.yaml"
    if not path.is_file():
        known = ", ".join(company_names(folder)) or "none"
        raise ConfigError(path, [("", f"no company {name!r} in {folder} (companies there: {known})")])
    return path


def select_company(name: str, directory: Path | str | None = None) -> Path:
    """Make this process serve company `name`: $QBSPS_COMPANY and $QBSPS_CONFIG name it, so the
    Dagster definitions and resources this process loads afterwards are that company's."""
    path = company_config_path(name, directory)
    os.environ[COMPANY_ENV] = company_name(name)
    os.environ[CONFIG_ENV] = str(path)
    return path


def deployment_problems(directory: Path | str | None = None) -> list[tuple[str, str]]:
    """``(company, reason)`` for each company file that does not load, each bad file name, and each
    ledger or QBO company that two companies share (their data would cross)."""
    folder = companies_dir(directory)
    problems: list[tuple[str, str]] = []
    ledgers: dict[str, list[str]] = defaultdict(list)
    realms: dict[str, list[str]] = defaultdict(list)
    for path in sorted(folder.glob("*.yaml")):
        try:
            name = company_name(path.stem)
            config = load_config(path)
        except ConfigError as exc:
            problems.append((path.stem, str(exc)))
            continue
        ledgers[_ledger_identity(config.ledger.url)].append(name)
        if config.qbo.realm_id:
            realms[config.qbo.realm_id].append(name)
    for ledger, names in ledgers.items():
        if len(names) > 1:
            problems.append(
                (", ".join(names), f"share the ledger {ledger}: give each company its own ledger.url")
            )
    for realm, names in realms.items():
        if len(names) > 1:
            problems.append((", ".join(names), f"name the same QBO company (qbo.realm_id {realm})"))
    if not ledgers and not problems:
        problems.append(("", f"no company config (*.yaml) in {folder}"))
    return problems


def _ledger_identity(url: str) -> str:
    """The ledger a URL reaches, comparable between companies (a relative SQLite path is relative to
    the working directory, as the ledger opens it); never shows a password."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        database = Path(parsed.database).expanduser()
        return f"sqlite:///{database if database.is_absolute() else (Path.cwd() / database).resolve()}"
    return parsed.set(drivername=parsed.get_backend_name()).render_as_string(hide_password=True)
