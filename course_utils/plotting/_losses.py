"""Plots for the losses notebook."""

from __future__ import annotations

__all__: list[str] = []
