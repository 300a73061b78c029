"""Integration events between contexts: transactional outbox, relay, inbox."""
