"""The `qbsps` command line (entry point `qbsps_orchestration.cli:main`), one module per command."""

from .main import main

__all__ = ["main"]
