"""Faithful local QBO and SPS servers (Starlette + uvicorn) with fault injection.

The sandbox speaks only the wire protocols: it imports nothing from ``lib/`` so it cannot share a
bug with the clients it tests.
"""
