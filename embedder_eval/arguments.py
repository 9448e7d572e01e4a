"""Argument types the embedder_eval and embedder_train command lines share (no heavy imports)."""

from __future__ import annotations

import argparse


def comma_separated(value: str) -> list[str]:
    """The non-empty items of a comma-separated argument; an argparse error when there are none."""
    items = [item.strip() for item in value.split(",") if item.strip()]
    if not items:
        raise argparse.ArgumentTypeError("expected a comma-separated list")
    return items
