from certificates.admin import arrangement, certificates, scores

__all__ = ["arrangement", "certificates", "scores"]
