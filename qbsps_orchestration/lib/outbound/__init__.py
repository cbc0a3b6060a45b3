"""Outbound flows (I/O): QBO transactions to the documents lib/documents builds, each sent to SPS
`in/` exactly once (send, landing), their completion, and the item registries."""
