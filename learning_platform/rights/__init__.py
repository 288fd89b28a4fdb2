"""A person's rights over their data: download all of it, delete their account."""
