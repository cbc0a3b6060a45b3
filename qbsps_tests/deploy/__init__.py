"""Tests of the production deployment: the receiver over TLS, the instance file, the services."""
