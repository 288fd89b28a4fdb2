"""Impact: what the partners' offerings achieved, in figures for partners, admins and everyone."""
