"""onward: local-first help through job rejection and back into the search."""

__version__ = "0.1.0"
