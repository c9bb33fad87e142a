"""Writes of the factories app. Views, API, admin actions, commands and tasks all call these."""
