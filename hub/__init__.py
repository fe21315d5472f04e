"""fusehub: the home-hub brain. The core package; nothing here knows a vendor's topic names."""

__version__ = "0.1.0"
