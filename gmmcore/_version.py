"""The one place gmmcore's version is written."""

__version__ = "0.2.0"
