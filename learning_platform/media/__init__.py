"""Images: covers of offerings and logos of partners, uploaded, checked, stored and served."""
