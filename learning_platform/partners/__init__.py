"""Partner organisations: public pages, proposals, admin approval and memberships."""
