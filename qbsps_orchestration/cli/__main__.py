"""`python -m qbsps_orchestration.cli`: what the dev stack runs for its own qbsps processes."""

from .main import main

main()
