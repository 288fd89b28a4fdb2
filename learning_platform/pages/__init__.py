"""The site's own pages: about, privacy policy, terms and contact; edited by site admins."""
