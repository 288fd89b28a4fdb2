"""Open data: the public offerings and sessions as CSV and JSON, under a licence."""
