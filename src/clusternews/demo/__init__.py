"""Offline demo cluster websites (feeds, sitemaps, listing pages) served on loopback ports."""
