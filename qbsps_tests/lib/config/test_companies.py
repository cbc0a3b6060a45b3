"""The companies folder of a deployment serving several: names, selection, and the problems that
would let two companies' data cross."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qbsps_orchestration.lib.config import CONFIG_ENV, ConfigError
from qbsps_orchestration.lib.config.companies import (
    COMPANIES_DIR_ENV,
    COMPANY_ENV,
    company_config_path,
    company_name,
    company_names,
    current_company,
    deployment_problems,
    select_company,
)
from qbsps_tests.support import write_company


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "companies"
    folder.mkdir()
    write_company(folder, "acme", realm="111", ledger=f"sqlite:///{tmp_path}/acme.db")
    write_company(
        folder,
        "globex",
        realm="222",
        ledger="postgresql+psycopg2://qbsps:s3cret@db/qbsps?options=-csearch_path%3Dglobex",
    )
    monkeypatch.setenv(COMPANIES_DIR_ENV, str(folder))
    # Set (empty means unset) so that monkeypatch restores them after select_company wrote them.
    monkeypatch.setenv(COMPANY_ENV, "")
    monkeypatch.setenv(CONFIG_ENV, "")
    return folder


@pytest.mark.parametrize("good", ["acme", "acme_2", "a"])
def test_a_company_name_is_a_plain_identifier(good: str) -> None:
    assert company_name(f" {good} ") == good


@pytest.mark.parametrize("bad", ["", "Acme", "2acme", "acme-co", "acme/x", "defs", "a" * 41])
def test_a_name_that_cannot_prefix_asset_keys_and_pools_is_refused_by_name(bad: str) -> None:
    with pytest.raises(ConfigError, match="company: .* is not a company name"):
        company_name(bad)


def test_the_folder_lists_its_companies_and_selects_one_for_this_process(
    folder: Path,
) -> None:
    assert company_names() == ["acme", "globex"]
    assert current_company() is None
    assert select_company("globex") == folder.resolve() / "globex.yaml"
    assert current_company() == "globex"
    assert os.environ[CONFIG_ENV] == str(folder.resolve() / "globex.yaml")


def test_an_unknown_company_names_the_ones_there(folder: Path) -> None:
    with pytest.raises(ConfigError, match=r"no company 'initech' .*companies there: acme, globex"):
        company_config_path("initech")


def test_no_folder_is_a_plain_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(COMPANIES_DIR_ENV, raising=False)
    with pytest.raises(ConfigError, match=f"{COMPANIES_DIR_ENV} is not set"):
        company_names()
    with pytest.raises(ConfigError, match="does not exist"):
        company_names(tmp_path / "nowhere")


def test_companies_each_with_their_own_ledger_and_qbo_company_have_no_problem(folder: Path) -> None:
    assert deployment_problems() == []


def test_two_companies_on_one_ledger_are_refused_without_showing_its_password(
    folder: Path, tmp_path: Path
) -> None:
    # globex's ledger, named without the driver: still the same database and schema
    shared = "postgresql://qbsps:s3cret@db/qbsps?options=-csearch_path%3Dglobex"
    write_company(folder, "initech", realm="333", ledger=shared)
    problems = deployment_problems()
    assert [who for who, _ in problems] == ["globex, initech"]
    assert "share the ledger" in problems[0][1] and "s3cret" not in problems[0][1]


def test_a_relative_and_an_absolute_path_to_one_sqlite_ledger_are_one_ledger(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_company(folder, "initech", realm="333", ledger="sqlite:///acme.db")
    assert [who for who, _ in deployment_problems()] == ["acme, initech"]


def test_two_files_for_one_qbo_company_are_refused(folder: Path, tmp_path: Path) -> None:
    write_company(folder, "initech", realm="111", ledger=f"sqlite:///{tmp_path}/initech.db")
    problems = deployment_problems()
    assert problems == [("acme, initech", "name the same QBO company (qbo.realm_id 111)")]


def test_a_file_that_does_not_load_or_has_a_bad_name_is_listed(folder: Path) -> None:
    (folder / "Bad-Name.yaml").write_text("qbo: {}\n")
    (folder / "broken.yaml").write_text("qbo: [\n")
    who = [who for who, _ in deployment_problems()]
    assert who == ["Bad-Name", "broken"]


def test_an_empty_folder_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert deployment_problems(tmp_path / "empty") == [
        ("", f"no company config (*.yaml) in {tmp_path / 'empty'}")
    ]
