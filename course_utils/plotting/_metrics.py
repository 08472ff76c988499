"""Plots for the metrics notebook."""

from __future__ import annotations

__all__: list[str] = []
