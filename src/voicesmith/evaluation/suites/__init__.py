"""Evaluation suites: end-to-end measurements run by ``voicesmith eval --suite``."""
