"""For reads that build model instances without the ORM's query (wecan/joined_rows.py)."""

from django.db import models


def assert_loaded_as_the_orm_loads(loaded: models.Model, stored: models.Model) -> None:
    """``loaded`` holds what the ORM's read of the same row gives, field by field and type by type
    (SQLite gives dates, decimals and booleans in its own form), and is a saved row of the default
    database."""
    for field in type(stored)._meta.concrete_fields:
        value, stored_value = getattr(loaded, field.attname), getattr(stored, field.attname)
        assert (value, type(value)) == (stored_value, type(stored_value)), field.name
    assert not loaded._state.adding and loaded._state.db == "default"
