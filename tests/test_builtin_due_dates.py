"""The built-in DueDateService: dated blocks, overrides moving with their descendants, history, listing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from opaque_keys.edx.keys import CourseKey

from instructor_plugin.backends.builtin.due_dates import BuiltinDueDateService
from instructor_plugin.backends.builtin.models import DueDateChange, DueDateOverride
from instructor_plugin.backends.builtin.seed import DEMO_COURSE_ID, seed_demo_course
from instructor_plugin.backends.data import DueDateOverrideData, PageRequest
from instructor_plugin.backends.exceptions import BlockNotFound, DueDateNotLater, NoDueDate
from tests.conftest import enroll, make_user
from tests.due_date_fixtures import HW1_DUE, HW1_Q1_DUE, HW2_DUE, add_dated_blocks

ALL = PageRequest(offset=0, limit=100)


@pytest.fixture
def service() -> BuiltinDueDateService:
    return BuiltinDueDateService()


@pytest.fixture
def dated(course):
    return add_dated_blocks(course)


@pytest.fixture
def people(users):
    return {"learner": users["learner"], "actor": users["course_staff"]}


def overrides() -> dict:
    return dict(DueDateOverride.objects.values_list("usage_key", "due"))


def test_list_dated_blocks_gives_the_top_most_dated_blocks_in_tree_order(service, dated, course_key):
    blocks = service.list_dated_blocks(course_key)

    assert [block.usage_key for block in blocks] == [
        dated.hw1.usage_key,
        dated.lesson_unit.usage_key,
        dated.hw2.usage_key,
    ]
    assert blocks[0].display_name == "Homework 1"
    assert blocks[0].due == HW1_DUE


def test_no_dated_blocks(service, course, course_key):
    assert service.list_dated_blocks(course_key) == []
    assert not service.is_enabled(course_key)


def test_set_override_moves_the_unit_and_its_dated_descendants(service, dated, people, course_key):
    due = HW1_Q1_DUE + timedelta(days=1)

    keys = service.set_override(course_key, dated.hw1.usage_key, people["learner"].pk, due, people["actor"].pk, "ill")

    assert set(keys) == {dated.hw1.usage_key, dated.hw1_q1.usage_key}
    assert overrides() == {dated.hw1.usage_key: due, dated.hw1_q1.usage_key: due}
    changes = list(DueDateChange.objects.values_list("usage_key", "due", "reason", "actor_id", "user_id"))
    assert sorted(changes) == sorted(
        (key, due, "ill", people["actor"].pk, people["learner"].pk)
        for key in (dated.hw1.usage_key, dated.hw1_q1.usage_key)
    )
    assert all(change.created is not None for change in DueDateChange.objects.all())


def test_set_again_replaces_the_override_and_keeps_the_history(service, dated, people, course_key):
    learner, actor = people["learner"].pk, people["actor"].pk
    first, second = HW2_DUE + timedelta(days=1), HW2_DUE + timedelta(days=2)
    service.set_override(course_key, dated.hw2.usage_key, learner, first, actor, "one")
    service.set_override(course_key, dated.hw2.usage_key, learner, second, actor, "two")

    assert overrides() == {dated.hw2.usage_key: second}
    assert list(DueDateChange.objects.order_by("pk").values_list("due", "reason")) == [(first, "one"), (second, "two")]


@pytest.mark.parametrize(
    "due",
    [HW1_DUE - timedelta(minutes=1), HW1_DUE, HW1_Q1_DUE, HW1_Q1_DUE - timedelta(hours=1)],
    ids=["earlier", "equal", "equal_to_a_descendant", "earlier_than_a_descendant"],
)
def test_an_extension_must_be_later_than_every_original_date(service, dated, people, course_key, due):
    with pytest.raises(DueDateNotLater):
        service.set_override(course_key, dated.hw1.usage_key, people["learner"].pk, due, people["actor"].pk, "")

    assert not DueDateOverride.objects.exists()
    assert not DueDateChange.objects.exists()


def test_a_block_without_a_date_cannot_be_extended(service, dated, people, course_key):
    with pytest.raises(NoDueDate):
        service.set_override(course_key, dated.lesson.usage_key, people["learner"].pk, HW2_DUE, None, "")


def test_a_block_of_another_course_is_not_found(service, dated, people):
    other = dated.course.course_key.replace(course="OTHER")
    with pytest.raises(BlockNotFound):
        service.set_override(other, dated.hw1.usage_key, people["learner"].pk, HW2_DUE, None, "")
    with pytest.raises(BlockNotFound):
        service.remove_override(other, dated.hw1.usage_key, people["learner"].pk, None, "")


def test_remove_override_removes_the_descendants_and_records_resets(service, dated, people, course_key):
    learner, actor = people["learner"].pk, people["actor"].pk
    service.set_override(course_key, dated.hw1.usage_key, learner, HW2_DUE, actor, "ill")
    service.set_override(course_key, dated.hw2.usage_key, learner, HW2_DUE + timedelta(days=1), actor, "ill")

    removed = service.remove_override(course_key, dated.hw1.usage_key, learner, actor, "recovered")

    assert set(removed) == {dated.hw1.usage_key, dated.hw1_q1.usage_key}
    assert set(overrides()) == {dated.hw2.usage_key}
    resets = DueDateChange.objects.filter(due__isnull=True)
    assert set(resets.values_list("usage_key", "reason", "actor_id")) == {
        (dated.hw1.usage_key, "recovered", actor),
        (dated.hw1_q1.usage_key, "recovered", actor),
    }


def test_removing_nothing_records_nothing(service, dated, people, course_key):
    assert service.remove_override(course_key, dated.hw1.usage_key, people["learner"].pk, None, "") == []
    assert not DueDateChange.objects.exists()


def test_learner_due_dates_apply_the_overrides(service, dated, people, course_key):
    due = HW2_DUE + timedelta(days=3)
    service.set_override(course_key, dated.hw2.usage_key, people["learner"].pk, due, None, "")

    dates = service.get_learner_due_dates(course_key, people["learner"].pk)

    assert dates[dated.hw2.usage_key] == due
    assert dates[dated.hw1.usage_key] == HW1_DUE
    assert service.get_learner_due_dates(course_key, people["actor"].pk)[dated.hw2.usage_key] == HW2_DUE


class TestListOverrides:
    @pytest.fixture
    def granted(self, service, dated, course_key):
        """Ann and bob extended on hw2, ann also on hw1 (and its problem)."""
        ann, bob = make_user("ann", name="Ann A"), make_user("Bob")
        for user in (ann, bob):
            enroll(user, course_key)
        service.set_override(course_key, dated.hw2.usage_key, bob.pk, HW2_DUE + timedelta(days=1), None, "")
        service.set_override(course_key, dated.hw2.usage_key, ann.pk, HW2_DUE + timedelta(days=2), None, "r")
        service.set_override(course_key, dated.hw1.usage_key, ann.pk, HW2_DUE, None, "")
        return {"ann": ann, "bob": bob}

    def listed(self, service, course_key, usage_keys=None, search=None, page=ALL):
        return [
            (row.user.username, row.usage_key)
            for row in service.list_overrides(course_key, usage_keys, search, page).items
        ]

    def test_rows_by_username_then_course_order(self, service, dated, granted, course_key):
        assert self.listed(service, course_key) == [
            ("ann", dated.hw1.usage_key),
            ("ann", dated.hw1_q1.usage_key),
            ("ann", dated.hw2.usage_key),
            ("Bob", dated.hw2.usage_key),
        ]

    def test_rows_are_frozen_records_with_the_block_details(self, service, dated, granted, course_key):
        row = service.list_overrides(course_key, [dated.hw2.usage_key], "ann", ALL).items[0]

        assert isinstance(row, DueDateOverrideData)
        assert (row.user.full_name, row.display_name, row.original_due, row.reason) == (
            "Ann A",
            "Homework 2",
            HW2_DUE,
            "r",
        )
        assert row.due == HW2_DUE + timedelta(days=2)

    def test_some_blocks_only(self, service, dated, granted, course_key):
        keys = [dated.hw1.usage_key, dated.hw2.usage_key]
        assert self.listed(service, course_key, keys) == [
            ("ann", dated.hw1.usage_key),
            ("ann", dated.hw2.usage_key),
            ("Bob", dated.hw2.usage_key),
        ]

    @pytest.mark.parametrize(("search", "expected"), [("BOB", ["Bob"]), ("ann@EXAMPLE", ["ann"]), ("zzz", [])])
    def test_search_on_username_or_email(self, service, dated, granted, course_key, search, expected):
        rows = self.listed(service, course_key, [dated.hw2.usage_key], search)
        assert [username for username, _ in rows] == expected

    def test_paging(self, service, dated, granted, course_key):
        page = service.list_overrides(course_key, None, None, PageRequest(offset=1, limit=2))

        assert page.total == 4
        assert [(row.user.username, row.usage_key) for row in page.items] == [
            ("ann", dated.hw1_q1.usage_key),
            ("ann", dated.hw2.usage_key),
        ]

    def test_other_courses_are_left_out(self, service, dated, granted, course_key):
        assert service.list_overrides(course_key.replace(course="OTHER"), None, None, ALL).total == 0


class TestDemoSeed:
    @pytest.mark.parametrize(("learners", "expected"), [(12, 4), (5, 2), (0, 0)])
    def test_a_few_learners_have_extensions_later_than_the_original(self, db, service, learners, expected):
        seed_demo_course(learners=learners)
        seed_demo_course(learners=learners)  # reseeding replaces them

        course_key = CourseKey.from_string(DEMO_COURSE_ID)
        page = service.list_overrides(course_key, None, None, ALL)
        assert page.total == expected
        assert all(row.due > row.original_due for row in page.items)
        assert all(row.reason and row.actor_id for row in page.items)
        assert DueDateChange.objects.filter(course_key=course_key).count() == expected
