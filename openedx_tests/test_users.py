"""The Open edX user service beyond the contract: accounts the legacy API creates, survey answers."""

from __future__ import annotations

import pytest
from common.djangoapps.student.models import UserProfile
from django.contrib.auth import get_user_model
from lms.djangoapps.survey.models import SurveyAnswer
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.exceptions import AccountTaken
from instructor_plugin.backends.openedx import openedx_backend

from .world import OpenedxWorld

COURSE = CourseKey.from_string("course-v1:SurveyX+S1+2026")
OTHER = CourseKey.from_string("course-v1:SurveyX+S2+2026")


@pytest.fixture
def users(db):
    return openedx_backend().users


def test_create_account_with_its_profile(users):
    created = users.create_account("nia", "nia@example.com", "Nia N", "FR", "s3cret-pass")

    user = get_user_model().objects.get(pk=created.id)
    assert (created.username, created.email, created.full_name, user.is_active) == (
        "nia",
        "nia@example.com",
        "Nia N",
        True,
    )
    assert user.check_password("s3cret-pass")
    assert UserProfile.objects.get(user=user).country == "FR"


@pytest.mark.parametrize(("username", "email"), [("ann", "new@example.com"), ("new", "ANN@example.com")])
def test_a_taken_username_or_email_creates_nothing(users, username, email):
    OpenedxWorld().make_user("ann", "ann@example.com", "Ann")

    with pytest.raises(AccountTaken):
        users.create_account(username, email, "New", "FR", "s3cret-pass")
    assert get_user_model().objects.count() == 1


def test_survey_answers_of_the_course(users):
    world = OpenedxWorld()
    ann = get_user_model().objects.get(pk=world.make_user("ann", "ann@example.com", "Ann"))
    bob = get_user_model().objects.get(pk=world.make_user("bob", "bob@example.com", "Bob"))
    SurveyAnswer.objects.create(user=bob, field_name="job", field_value="baker", course_key=COURSE)
    SurveyAnswer.objects.create(user=ann, field_name="job", field_value="archer", course_key=COURSE)
    SurveyAnswer.objects.create(user=ann, field_name="age", field_value="30", course_key=COURSE)
    SurveyAnswer.objects.create(user=ann, field_name="pet", field_value="cat", course_key=OTHER)

    assert users.survey_field_names(COURSE) == ["age", "job"]
    assert list(users.iter_survey_rows(COURSE, ["age", "job"])) == [
        (ann.pk, "ann", "ann@example.com", "30", "archer"),
        (bob.pk, "bob", "bob@example.com", "", "baker"),
    ]
