"""Testing support: a pytest plugin (auto-loaded through the ``pytest11``
entry point) that runs the same tests on SQLite, PostgreSQL or MariaDB."""
