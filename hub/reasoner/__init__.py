"""Reasoners: turn a trigger (state change, utterance, schedule) into a Plan of skill calls."""
