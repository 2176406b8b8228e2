"""The back office of staff work; ``applications`` registers the Application admin."""

from review.admin import applications, jobs, merges

__all__ = ["applications", "jobs", "merges"]
