from registration.models.accounts import DegreeRecord, User
from registration.models.application import Application, ApplicationEvent, ApplicationStatus, HistoryRecord, PhotoStatus
from registration.models.catalogue import (
    City,
    District,
    DistrictFee,
    EligibilityRule,
    Exam,
    MaterialSlot,
    RegistrationPoint,
    Site,
    Specialty,
    Subject,
    Unit,
)

__all__ = [
    "Application",
    "ApplicationEvent",
    "ApplicationStatus",
    "City",
    "DegreeRecord",
    "District",
    "DistrictFee",
    "EligibilityRule",
    "Exam",
    "HistoryRecord",
    "MaterialSlot",
    "PhotoStatus",
    "RegistrationPoint",
    "Site",
    "Specialty",
    "Subject",
    "Unit",
    "User",
]
