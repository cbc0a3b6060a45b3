"""A Compose service's command as its container runs it, without Docker: Compose's own `${VAR}`
interpolation, then the command through a real `sh` whose programs (qbsps, dagster, ...) are
stand-ins that record their arguments, then those arguments parsed by each program's own click
command, so an option the program does not have fails the test."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import click

from qbsps_tests.support import REPO

# Each program the services start, as its console script loads it (the click command itself).
CLIS = {
    "qbsps": "qbsps_orchestration.cli:main",
    "dagster": "dagster._cli:cli",
    "dagster-webserver": "dagster_webserver.cli:cli",
    "dagster-daemon": "dagster._daemon.cli:cli",
    "dagster-celery": "dagster_celery.cli:main",
}
_STAND_IN = """#!{python}
import json, os, sys
with open(os.environ["ARGV_LOG"], "a") as log:
    log.write(json.dumps([os.path.basename(sys.argv[0]), *sys.argv[1:]]) + "\\n")
"""
_VARIABLE = re.compile(r"(?<!\$)\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}")


def interpolate(text: str, variables: dict[str, str]) -> str:
    """Compose's interpolation of `${NAME}`, `${NAME:-default}` and `${NAME:?error}` (`$$` is left
    for the container's shell); an unset `:?` variable raises ValueError with its error."""

    def value(match: re.Match[str]) -> str:
        name, kind, word = match[1], match[2], match[3]
        if variables.get(name):
            return variables[name]
        if kind == "?":
            raise ValueError(f"{name}: {word}")
        return word if kind == "-" else ""

    return _VARIABLE.sub(value, text)


def programs_started(
    command: list[str], folder: Path, environment: dict[str, str], *, compose_variables: dict[str, str]
) -> list[list[str]]:
    """The programs (with their arguments) that `command`, a service's `command:` list (or a systemd
    unit's command line split as systemd does, whose `$$` is the same escape), starts in a container
    whose environment (from qbsps.env) is `environment`."""
    bin_dir = folder / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in CLIS:
        stand_in = bin_dir / name
        stand_in.write_text(_STAND_IN.format(python=sys.executable))
        stand_in.chmod(0o755)
    log = folder / "argv.jsonl"
    log.unlink(missing_ok=True)
    # Compose first (its variables, then `$$` to `$`), the container's sh second.
    argv = [interpolate(part, compose_variables).replace("$$", "$") for part in command]
    env = {**environment, "PATH": f"{bin_dir}:/usr/bin:/bin", "ARGV_LOG": str(log)}
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def image_paths(etc: Path) -> dict[str, Path]:
    """Where a container's paths are on this machine: the files the Dockerfile copies into
    /opt/qbsps, and the operator's folder mounted at /etc/qbsps."""
    dockerfile = (REPO / "deploy" / "Dockerfile").read_text()
    copied = re.findall(r"^COPY\s+(\S+)\s+(/opt/qbsps/\S+)$", dockerfile, re.MULTILINE)
    return {"/etc/qbsps": etc, **{target: REPO / source for source, target in copied}}


def parsed(argv: list[str], paths: dict[str, Path]) -> dict[str, object]:
    """The options the program's own click command reads from `argv` (container paths mapped to
    this machine's, since some options check that their file exists); click.UsageError for an
    option or command it does not have."""
    module, _, attribute = CLIS[argv[0]].partition(":")
    command: click.Command = getattr(importlib.import_module(module), attribute)
    words = [_on_this_machine(word, paths) for word in argv[1:]]
    while isinstance(command, click.Group):
        name = words.pop(0)
        found = command.get_command(click.Context(command), name)
        if found is None:
            raise click.UsageError(f"{argv[0]} has no command {name!r}")
        command = found
    return command.make_context(argv[0], words).params


def _on_this_machine(word: str, paths: dict[str, Path]) -> str:
    for inside, outside in paths.items():
        if word == inside or word.startswith(f"{inside}/"):
            return str(outside) + word[len(inside) :]
    return word
