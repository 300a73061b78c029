"""Benchmarks of the generic repository (see ``bench/README.md``)."""
