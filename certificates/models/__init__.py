from certificates.models.certificates import Certificate, CertificateEvent, CertificateStatus
from certificates.models.documents import ApplicationDocument, DocumentKind, DocumentStatus
from certificates.models.scores import Score, ScoreImport, ScoreImportStatus

__all__ = [
    "ApplicationDocument",
    "Certificate",
    "CertificateEvent",
    "CertificateStatus",
    "DocumentKind",
    "DocumentStatus",
    "Score",
    "ScoreImport",
    "ScoreImportStatus",
]
