"""Neural Playground: learn neural-network fundamentals by watching them work."""

__version__ = "0.1.0"
