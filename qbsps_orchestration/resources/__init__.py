"""ConfigurableResources that hand the lib/ clients to assets and sensors."""

from .connector import LedgerResource, QboResource, QbspsConfigResource, SpsResource, open_connector

__all__ = ["LedgerResource", "QboResource", "QbspsConfigResource", "SpsResource", "open_connector"]
