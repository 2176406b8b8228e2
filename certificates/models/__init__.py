from certificates.models.arrangement import (
    ArrangementJob,
    ArrangementJobStatus,
    ExamSession,
    Room,
    RoomSheet,
    RoomSheetStatus,
    Seat,
    SeatChange,
    SpecialtyExamDay,
    Venue,
)
from certificates.models.certificates import Certificate, CertificateEvent, CertificateStatus
from certificates.models.documents import ApplicationDocument, DocumentKind, DocumentStatus
from certificates.models.scores import Score, ScoreImport, ScoreImportStatus

__all__ = [
    "ApplicationDocument",
    "ArrangementJob",
    "ArrangementJobStatus",
    "Certificate",
    "CertificateEvent",
    "CertificateStatus",
    "DocumentKind",
    "DocumentStatus",
    "ExamSession",
    "Room",
    "RoomSheet",
    "RoomSheetStatus",
    "Score",
    "ScoreImport",
    "ScoreImportStatus",
    "Seat",
    "SeatChange",
    "SpecialtyExamDay",
    "Venue",
]
