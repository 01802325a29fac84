"""Bottom layer of rudprk-watch: ORM models, engines and sessions, dedup keys, queries, migrations.

This package imports neither :mod:`alerts` nor :mod:`flows`.
"""
