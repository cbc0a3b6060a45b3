"""`make dev` (`qbsps dev up`): the sandbox, the webhook receiver and `dagster dev`, live together.

layout.py (ports, the folder), services.py (one subprocess in its own process group), config.py
(the dev config), stack.py (start in order, watch, stop). Nothing is imported here, so the CLI can
read the defaults in layout.py without loading the rest.
"""
