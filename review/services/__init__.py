"""Writes of staff work, by topic: decisions, history candidates, deadlines, reminders, jobs, declarations."""
