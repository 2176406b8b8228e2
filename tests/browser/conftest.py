# The application fixtures, for the journeys through the application pages.
from tests.applications.conftest import candidate, degree, exam, shanghai, unit  # noqa: F401
