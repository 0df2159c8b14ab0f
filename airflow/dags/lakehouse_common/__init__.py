"""Shared configuration, callbacks and pure helpers for the lakehouse DAGs.

Everything here is cheap to import: the scheduler parses every DAG file every 30 s, so no
network call, Variable/Connection lookup or heavy import happens at module level.
"""
