from registration.admin import accounts, catalogue

__all__ = ["accounts", "catalogue"]
