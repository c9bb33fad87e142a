"""Assessment services (R-ASM): planning (`schedule`), fieldwork (`fieldwork`), the feedback period,
finalisation and publication (`feedback`), and the priority of factories due for assessment (`priority`).
Every function takes the acting user, checks the policy, and runs in one transaction."""
