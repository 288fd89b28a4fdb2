"""Completion: each offering's rule (attended at least N % of its sessions), the organizers'
review once it is over, and the certificates they issue or withhold.

A certificate row is the decision on one confirmed registration. Issued ones carry a number
("LP-2026-000123"), a public uid (the future /verify/<uid>) and a snapshot of what they state
(hours, sessions attended of the total, the learner's name). No PDF or signature yet.
"""
