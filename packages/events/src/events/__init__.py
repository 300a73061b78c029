"""Bounded context: events (concerts, festivals) and their registrations."""
