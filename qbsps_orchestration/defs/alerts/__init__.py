"""Alerts: a sensor on failed runs and a sensor that checks stuck documents and connections."""
