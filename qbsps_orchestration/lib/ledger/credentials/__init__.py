"""Encrypted credentials: secrets, the QBO refresh lease, key rotation."""
