"""Connectors to the stores Eraser erases from."""

from connectors.base import Connector, Edge
from connectors.sql import SQLConnector, open_connector

__all__ = ["Connector", "Edge", "SQLConnector", "open_connector"]
