"""Benchmark scripts: each prints JSON and a table (``python benchmarks/NAME.py``)."""
