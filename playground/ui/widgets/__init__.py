"""Shared views: run controls, curve plots, ..."""
