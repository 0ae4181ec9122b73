"""Shared helpers for the test suites (importable as ``tests.support``)."""
