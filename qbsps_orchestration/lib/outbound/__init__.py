"""Outbound documents: QBO transactions → RSX Invoice (810), Shipment (856), OrderAck (855)."""
