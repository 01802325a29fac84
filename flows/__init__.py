"""Composition root: settings, CLI, Prefect flows and tasks; ingestion lives in :mod:`flows.ingest`."""
