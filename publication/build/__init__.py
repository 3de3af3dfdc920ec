"""Builds: plan, worker pool, per-target pipeline, incremental cache, lock and watch."""
