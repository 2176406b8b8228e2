from registration.admin import accounts, appeals, catalogue

__all__ = ["accounts", "appeals", "catalogue"]
