"""Digest emails: wording per language and rendering (sending lives in adapters.mail)."""
