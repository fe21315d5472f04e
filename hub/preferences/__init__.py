"""Household preferences: the home file's model of what the household wants done in each situation
(:mod:`.schema`). Their evaluation and compilation from plain language live in :mod:`fusehub.reasoner.prefs`."""
