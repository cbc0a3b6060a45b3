"""`make chaos`: SIGKILLs at random points of real `qbsps sync` runs against the sandbox, then
completion, counted on the sandbox's side (issue 9). Run with ``python -m qbsps_tests.chaos``."""
