"""The prompt corpus of the prompts suite (data files; see README.md)."""
