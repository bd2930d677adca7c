"""Privacy rules shared by every app that reports on people."""

# Counts about people (a department's popular items, a team's uptake, what a team explores)
# are shown only for groups at least this large, so no one is singled out.
MIN_GROUP_SIZE = 5
