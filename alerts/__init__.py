"""Relevance, event detection, novelty, rendering and delivery. Uses :mod:`storage`, never :mod:`flows`."""
