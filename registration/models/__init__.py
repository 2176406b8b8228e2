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
from registration.models.files import MaterialFile, Photo, PhotoSource, UploadStatus

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
    "MaterialFile",
    "MaterialSlot",
    "Photo",
    "PhotoSource",
    "PhotoStatus",
    "RegistrationPoint",
    "Site",
    "Specialty",
    "Subject",
    "Unit",
    "UploadStatus",
    "User",
]
