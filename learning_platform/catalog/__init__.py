"""Public browsing: offering pages (the catalog and its filters build on these)."""
