from tests.applications.conftest import *  # noqa: F403  (the application fixtures)
