"""Date formats of the portal where Django's own differ (``FORMAT_MODULE_PATH``)."""
