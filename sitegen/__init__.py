"""sitegen: an offline static-site generator for news archives."""

__version__ = "0.1.0"
