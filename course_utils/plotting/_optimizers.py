"""Plots for the optimizers notebook."""

from __future__ import annotations

__all__: list[str] = []
