"""The pages the shell stacks: each owns its widgets and asks the database runner for data."""
