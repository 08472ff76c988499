"""Plots for the ema notebook."""

from __future__ import annotations

__all__: list[str] = []
