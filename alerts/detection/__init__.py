"""Staged, data-driven detection (issue 7): rule stages, the labelled corpus, learned decisions.

``corpus`` loads and validates the labelled corpus, ``learn`` is the small learning toolkit,
``training`` rebuilds the shipped models (``rudprk train``) and ``learned`` scores an article
with them at run time.
"""
