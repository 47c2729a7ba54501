"""Eraser: erase personal data from production databases and prove it."""

__version__ = "0.1.0"
SOFTWARE_NAME = "eraser-agent"
