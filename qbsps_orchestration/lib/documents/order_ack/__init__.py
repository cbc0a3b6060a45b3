"""The RSX OrderAck (855): per-line status from the QBO order, the builder, what changed, and its checks."""
