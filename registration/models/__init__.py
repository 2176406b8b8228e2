from registration.models.accounts import DegreeRecord, User
from registration.models.appeals import AppealStatus, IdentityAppeal
from registration.models.application import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    HistoryRecord,
    PhotoStatus,
    ScoreMerge,
    ScoreMergeFoundBy,
)
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
    "AppealStatus",
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
    "IdentityAppeal",
    "MaterialFile",
    "MaterialSlot",
    "Photo",
    "PhotoSource",
    "PhotoStatus",
    "RegistrationPoint",
    "ScoreMerge",
    "ScoreMergeFoundBy",
    "Site",
    "Specialty",
    "Subject",
    "Unit",
    "UploadStatus",
    "User",
]
