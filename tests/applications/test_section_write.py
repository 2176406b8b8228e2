"""A section save writes its columns by a statement built once (``wecan.sql.row_columns_save``) and its
audit event by one INSERT: they must write what ``save(update_fields=...)`` and ``create`` wrote."""

import datetime

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from registration.models.application import Application, ApplicationEvent
from registration.models.files import MaterialFile
from registration.sections import WorkSection
from wecan.sql import row_columns_save

pytestmark = pytest.mark.django_db


def test_a_save_changes_its_section_s_columns_and_no_other(api, draft, sections):
    before = Application.objects.get(pk=draft["id"])

    response = api.put(f"/api/v1/applications/{draft['id']}/sections/work/", sections["work"], format="json")

    assert response.status_code == 200, response.json()
    after = Application.objects.get(pk=draft["id"])
    assert after.unit_id == sections["work"]["unit"]
    assert after.years_in_specialty == sections["work"]["years_in_specialty"]
    assert after.work_saved_at is not None and after.updated_at > before.updated_at
    assert after.verification_code == response.json()["verification_code"] != before.verification_code
    assert after.revision == before.revision + 1
    changed = {
        field.attname
        for field in Application._meta.concrete_fields
        if getattr(after, field.attname) != getattr(before, field.attname)
    }
    # Of a draft with nothing saved: the unit category is left out of the body, and stays empty.
    assert changed == {
        "unit_id",
        "unit_affiliation",
        "unit_nature",
        "years_in_specialty",
        "work_saved_at",
        "verification_code",
        "updated_at",
        "revision",
    }


def test_the_save_s_audit_event_names_the_candidate_and_the_section(api, draft, sections, candidate):
    started = timezone.now()

    api.put(f"/api/v1/applications/{draft['id']}/sections/contact/", sections["contact"], format="json")

    event = ApplicationEvent.objects.filter(application_id=draft["id"]).latest("id")
    assert (event.action, event.actor_id, event.from_status, event.to_status, event.reason) == (
        "save_contact",
        candidate.pk,
        "draft",
        "draft",
        "",
    )
    assert started <= event.created_at <= timezone.now()


def test_an_auto_now_column_takes_the_time_on_the_instance_and_the_row(draft):
    application = Application.objects.get(pk=draft["id"])
    application.postcode = "100010"
    stale = application.updated_at = timezone.now() - datetime.timedelta(days=3)

    with transaction.atomic():
        row_columns_save(application, ["postcode", "updated_at"], using="default")

    stored = Application.objects.get(pk=draft["id"])
    assert application.updated_at > stale
    assert (stored.postcode, stored.updated_at) == ("100010", application.updated_at)


def test_a_row_that_is_gone_is_an_error_not_a_silent_success(draft):
    application = Application.objects.get(pk=draft["id"])
    Application.objects.filter(pk=draft["id"]).delete()

    with pytest.raises(DatabaseError), transaction.atomic():
        row_columns_save(application, ["postcode"], using="default")


def test_a_relation_with_no_column_of_its_own_is_refused(draft):
    application = Application.objects.get(pk=draft["id"])

    with pytest.raises(TypeError):
        row_columns_save(application, ["subjects"], using="default")


def test_a_form_given_other_choices_leaves_its_section_s_choices_to_every_other_form(draft):
    """A section's choice fields share their fixed choices between forms (``FixedChoiceField``)."""
    application = Application.objects.get(pk=draft["id"])
    changed, other = WorkSection(application=application), WorkSection(application=application)

    changed.fields["unit_nature"].choices = [("", "请选择"), ("只此一项", "只此一项")]

    assert changed.fields["unit_nature"].choices == [("", "请选择"), ("只此一项", "只此一项")]
    assert other.fields["unit_nature"].choices == WorkSection.base_fields["unit_nature"].choices
    assert len(other.fields["unit_nature"].choices) > 2
    assert WorkSection({"unit_nature": "只此一项"}, application=application).has_error("unit_nature", "invalid_choice")


def test_a_model_whose_saves_are_listened_to_is_refused(draft):
    """A material file's save tells the review app (review/apps.py); this write would not."""
    material = MaterialFile(pk=1)

    with pytest.raises(TypeError), transaction.atomic():
        row_columns_save(material, ["status"], using="default")
