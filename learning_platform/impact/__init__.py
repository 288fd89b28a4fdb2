"""Impact figures: what a partner's offerings did for learners, as numbers, charts and CSV."""
