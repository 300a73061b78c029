"""Bounded context: the product catalog."""
