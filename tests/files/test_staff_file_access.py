"""Staff see the files of applications in their scope (review's scoped queryset), and no others."""

import pytest
from django.utils import timezone

from registration.choices import Role
from registration.models import Application, RegistrationPoint, User
from tests.applications.conftest import token_client
from tests.files import images
from tests.files.helpers import post_material

pytestmark = pytest.mark.django_db(transaction=True)


def staff_member(username, point):
    return User.objects.create_user(username=username, password="x", role=Role.POINT_STAFF, registration_point=point)


def test_point_staff_see_their_points_material_and_not_another_points(api, application_id, sections, beijing):
    api.put(f"/api/v1/applications/{application_id}/sections/site/", sections["site"], format="json")
    material = post_material(api, application_id, "3-1", images.material_jpeg()).json()
    url = f"/api/v1/applications/{application_id}/materials/{material['id']}/content/"

    # Staff see an application's files once it is submitted (registration.scope).
    Application.objects.filter(pk=application_id).update(status="submitted", submitted_at=timezone.now())
    own_point = Application.objects.get(pk=application_id).registration_point
    other_point = RegistrationPoint.objects.get(site__city__district=beijing)
    assert token_client(staff_member("sh_point", own_point)).get(url).status_code == 200
    assert token_client(staff_member("bj_point", other_point)).get(url).status_code == 404
