"""The back office of staff work; ``applications`` registers the Application admin."""

from review.admin import applications, jobs

__all__ = ["applications", "jobs"]
