"""Reconciliation: QuickBooks against SPS, daily and on demand, one check per kind of finding."""
