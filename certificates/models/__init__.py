from certificates.models.certificates import Certificate, CertificateEvent, CertificateStatus
from certificates.models.scores import Score, ScoreImport, ScoreImportStatus

__all__ = [
    "Certificate",
    "CertificateEvent",
    "CertificateStatus",
    "Score",
    "ScoreImport",
    "ScoreImportStatus",
]
