"""The RSX Shipment (856): its levels, SSCC-18 cartons, parties and lines, and its checks."""
