"""Course roles (``student.CourseAccessRole``) and forum roles (``django_comment_common.Role``)."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Lower
from opaque_keys.edx.django.models import CourseKeyField
from opaque_keys.edx.keys import CourseKey

from ..data import CourseAccessData, Page, PageRequest, TeamFilter, TeamMember, UserRoleData
from ..exceptions import UserNotFound
from .users import user_records, users_with_profile

_COURSE, _ORG, _FORUM = "course", "org", "forum"


def _user(user_id: int):
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise UserNotFound(user_id)
    return user


class OpenedxRoleService:
    """Grants through ``common.djangoapps.student.roles.CourseRole`` and the forum's ``Role.users``."""

    def get_access(self, course_key: CourseKey, user_id: int) -> CourseAccessData:
        """
        ``CourseAccessRole`` rows of the course and of its org (empty ``course_id``), and ``Role.users``: one
        ``UNION ALL`` query, as every request reads it before its view runs.
        """
        from common.djangoapps.student.models import CourseAccessRole
        from openedx.core.djangoapps.django_comment_common.models import Role

        course_and_org = (
            CourseAccessRole.objects.filter(user_id=user_id)
            .filter(Q(course_id=course_key) | Q(course_id=CourseKeyField.Empty, org__iexact=course_key.org))
            .annotate(
                held_in=Case(When(course_id=CourseKeyField.Empty, then=Value(_ORG)), default=Value(_COURSE)),
                held_role=F("role"),
            )
            .values_list("held_in", "held_role")
        )
        forum = (
            Role.objects.filter(course_id=course_key, users__id=user_id)
            .annotate(held_in=Value(_FORUM), held_role=F("name"))
            .values_list("held_in", "held_role")
        )
        held: dict[str, set[str]] = {_COURSE: set(), _ORG: set(), _FORUM: set()}
        for held_in, role in course_and_org.union(forum, all=True):
            held[held_in].add(role)
        return CourseAccessData(
            user_id=user_id,
            course_roles=frozenset(held[_COURSE]),
            org_roles=frozenset(held[_ORG]),
            forum_roles=frozenset(held[_FORUM]),
        )

    def add_course_role(self, course_key: CourseKey, user_id: int, role: str) -> None:
        """``CourseRole(role, course_key).add_users(user)``."""
        from common.djangoapps.student.roles import CourseRole

        CourseRole(role, course_key).add_users(_user(user_id))

    def remove_course_role(self, course_key: CourseKey, user_id: int, role: str) -> None:
        """``CourseRole(role, course_key).remove_users(user)``."""
        from common.djangoapps.student.roles import CourseRole

        CourseRole(role, course_key).remove_users(_user(user_id))

    def add_forum_role(self, course_key: CourseKey, user_id: int, role: str) -> None:
        """``Role.objects.get_or_create(course_id=..., name=role)`` then ``role.users.add(user)``."""
        from openedx.core.djangoapps.django_comment_common.models import Role

        forum_role, _ = Role.objects.get_or_create(course_id=course_key, name=role)
        forum_role.users.add(_user(user_id))

    def remove_forum_role(self, course_key: CourseKey, user_id: int, role: str) -> None:
        """``role.users.remove(user)`` on the course's ``Role`` of that name, if it exists."""
        from openedx.core.djangoapps.django_comment_common.models import Role

        for forum_role in Role.objects.filter(course_id=course_key, name=role):
            forum_role.users.remove(user_id)

    def list_user_roles(self, user_id: int) -> Sequence[UserRoleData]:
        """Every ``CourseAccessRole`` of the user, in the order they were granted."""
        from common.djangoapps.student.models import CourseAccessRole

        rows = CourseAccessRole.objects.filter(user_id=user_id).order_by("pk").values_list("org", "course_id", "role")
        return [UserRoleData(org=org, course_key=key or None, role=role) for org, key, role in rows]

    def list_team(self, course_key: CourseKey, filters: TeamFilter, page: PageRequest) -> Page[TeamMember]:
        """Holders of the course's ``CourseAccessRole`` and forum ``Role`` rows, one page of their accounts."""
        from common.djangoapps.student.models import CourseAccessRole
        from openedx.core.djangoapps.django_comment_common.models import Role

        course_held: dict[int, set[str]] = {}
        course_rows = CourseAccessRole.objects.filter(course_id=course_key, role__in=list(filters.course_roles))
        for user_id, role in course_rows.values_list("user_id", "role"):
            course_held.setdefault(user_id, set()).add(role)
        forum_held: dict[int, set[str]] = {}
        forum_rows = Role.objects.filter(course_id=course_key, name__in=list(filters.forum_roles))
        for user_id, role in forum_rows.values_list("users__id", "name"):
            if user_id is not None:
                forum_held.setdefault(user_id, set()).add(role)
        members = users_with_profile().filter(pk__in=course_held.keys() | forum_held.keys())
        if filters.search and filters.search.strip():
            term = filters.search.strip()
            members = members.filter(
                Q(username__icontains=term) | Q(email__icontains=term) | Q(profile__name__icontains=term)
            )
        total = members.count()
        window = members.order_by(Lower("username"), "pk")[page.offset : page.offset + page.limit]
        return Page(
            items=[
                TeamMember(
                    user=user,
                    course_roles=tuple(r for r in filters.course_roles if r in course_held.get(user.id, ())),
                    forum_roles=tuple(r for r in filters.forum_roles if r in forum_held.get(user.id, ())),
                )
                for user in user_records(window)
            ],
            total=total,
        )
