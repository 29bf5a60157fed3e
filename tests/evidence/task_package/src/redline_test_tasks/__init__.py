"""Test-only Inspect task package registered through an `inspect_ai` entry point."""
