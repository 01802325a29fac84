"""Prefect-free ingestion: fetching, parsing, URLs and article extraction."""
