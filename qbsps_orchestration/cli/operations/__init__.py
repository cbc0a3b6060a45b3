"""The operator's commands: what is held and why (status, conflicts, partners), what changed
(diff), and re-running a document (replay)."""
