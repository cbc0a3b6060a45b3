"""Intuit's OAuth 2.0 as the sandbox serves it: consent page, tokens, refresh rotation, control routes."""
