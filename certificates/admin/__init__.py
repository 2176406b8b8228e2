from certificates.admin import certificates, scores

__all__ = ["certificates", "scores"]
