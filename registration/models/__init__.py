from registration.models.accounts import DegreeRecord, User
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
    "City",
    "DegreeRecord",
    "District",
    "DistrictFee",
    "EligibilityRule",
    "Exam",
    "MaterialSlot",
    "RegistrationPoint",
    "Site",
    "Specialty",
    "Subject",
    "Unit",
    "User",
]
