"""Shared DDD building blocks and database/web adapters for every bounded context."""
