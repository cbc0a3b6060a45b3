"""`qbsps sandbox`: the local QuickBooks Online and SPS Commerce servers."""

from __future__ import annotations

import contextlib
import faulthandler
import signal
import threading
from pathlib import Path

import click

from ..sandbox.settings import QboSandboxSettings, SandboxSettings, SpsSandboxSettings, default_samples_dir


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address to serve on.")
@click.option("--qbo-port", default=8711, show_default=True, help="QuickBooks Online server port (0: any).")
@click.option("--sps-port", default=8712, show_default=True, help="SPS Commerce server port (0: any).")
@click.option("--latency-ms", default=0, show_default=True, help="Latency added to every API call.")
@click.option("--no-throttle", is_flag=True, help="Turn off QBO's per-company throttles.")
@click.option("--info-file", type=click.Path(path_type=Path), help="Write URLs and credentials here (JSON).")
@click.option("--write-config", type=click.Path(path_type=Path), help="Write a qbsps config file for it.")
@click.option("--webhook-url", help="Where QBO change webhooks are delivered.")
@click.option(
    "--webhook-format", type=click.Choice(["cloudevents", "legacy"]), default="cloudevents", show_default=True
)
@click.option(
    "--samples-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="SPS's published sample folder (sps_samples) to seed out/PO/ from.",
)
@click.option("--access-token-lifetime", default=3600, show_default=True, help="QBO access token seconds.")
@click.option(
    "--refresh-rotation-age",
    default=86_400,
    show_default=True,
    help="Seconds after which a QBO refresh returns a new refresh-token value.",
)
@click.option("--sps-token-lifetime", default=3600, show_default=True, help="SPS access token seconds.")
@click.option(
    "--auto-consent",
    is_flag=True,
    help="Approve QBO authorization requests at once instead of showing the Connect/Cancel page.",
)
def sandbox(
    host: str,
    qbo_port: int,
    sps_port: int,
    latency_ms: int,
    no_throttle: bool,
    info_file: Path | None,
    write_config: Path | None,
    webhook_url: str | None,
    webhook_format: str,
    samples_dir: Path | None,
    access_token_lifetime: int,
    refresh_rotation_age: int,
    sps_token_lifetime: int,
    auto_consent: bool,
) -> None:
    """Serve local QuickBooks Online and SPS Commerce APIs until interrupted (SIGINT/SIGTERM)."""
    from ..sandbox.runtime import Sandbox

    settings = SandboxSettings(
        host=host,
        qbo_port=qbo_port,
        sps_port=sps_port,
        latency_ms=latency_ms,
        qbo=QboSandboxSettings(
            throttle=not no_throttle,
            webhook_url=webhook_url,
            webhook_format=webhook_format,  # type: ignore[arg-type]
            access_token_lifetime=access_token_lifetime,
            refresh_rotation_age=refresh_rotation_age,
            auto_consent=auto_consent,
        ),
        sps=SpsSandboxSettings(
            token_lifetime=sps_token_lifetime, samples_dir=samples_dir or default_samples_dir()
        ),
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with contextlib.suppress(RuntimeError, ValueError, OSError, AttributeError):  # stderr has no file
        faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1 PID`: every thread's stack
    box = Sandbox(settings).start()
    try:
        if info_file:
            box.write_info(info_file)
        if write_config:
            for tightened in box.write_config(write_config):
                click.echo(f"tightened {tightened} to mode 0600: other users could read it")
        seeded = "SPS's published samples" if settings.sps.samples_dir else "qbsps demo orders"
        click.echo(f"QuickBooks Online sandbox: {box.qbo_url}  (realm {settings.qbo.realm_id})")
        click.echo(f"SPS Commerce sandbox:      {box.sps_url}  (out/PO/ seeded with {seeded})")
        if info_file:
            click.echo(f"Credentials and URLs:      {info_file}")
        if write_config:
            click.echo(f"qbsps config:              {write_config}")
        click.echo("Press Ctrl+C to stop.", err=True)
        stop.wait()
    finally:
        box.stop()
