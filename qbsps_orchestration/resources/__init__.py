"""ConfigurableResources that hand the lib/ clients to assets and sensors."""

from .config import QbspsConfigResource
from .connector import LedgerResource, QboResource, SpsResource, open_connector

__all__ = ["LedgerResource", "QboResource", "QbspsConfigResource", "SpsResource", "open_connector"]
