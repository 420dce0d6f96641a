"""Course roles (course, org, global staff) and forum roles."""

from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Lower
from opaque_keys.edx.django.models import CourseKeyField
from opaque_keys.edx.keys import CourseKey

from ..data import CourseAccessData, Page, PageRequest, TeamFilter, TeamMember, UserRoleData
from .filters import TeamMemberFilterSet
from .models import CourseAccessRole, ForumRole
from .users import to_user_data, users_with_profile

_COURSE, _ORG, _FORUM = "course", "org", "forum"


class BuiltinRoleService:
    """Reads and writes ``CourseAccessRole`` and ``ForumRole``."""

    def get_access(self, course_key: CourseKey, user_id: int) -> CourseAccessData:
        """Course, org and forum roles in one query: a ``UNION ALL`` of the two role tables."""
        course_and_org = (
            CourseAccessRole.objects.filter(user_id=user_id)
            .filter(Q(course_key=course_key) | Q(course_key=CourseKeyField.Empty, org__iexact=course_key.org))
            .annotate(
                held_in=Case(When(course_key=CourseKeyField.Empty, then=Value(_ORG)), default=Value(_COURSE)),
                held_role=F("role"),
            )
            .values_list("held_in", "held_role")
        )
        forum = (
            ForumRole.objects.filter(user_id=user_id, course_key=course_key)
            .annotate(held_in=Value(_FORUM), held_role=F("role"))
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

    def list_user_roles(self, user_id: int) -> list[UserRoleData]:
        rows = CourseAccessRole.objects.filter(user_id=user_id).order_by("pk").values_list("org", "course_key", "role")
        return [UserRoleData(org=org, course_key=key or None, role=role) for org, key, role in rows]

    def add_course_role(self, course_key: CourseKey, user_id: int, role: str) -> None:
        CourseAccessRole.objects.get_or_create(user_id=user_id, org=course_key.org, course_key=course_key, role=role)

    def remove_course_role(self, course_key: CourseKey, user_id: int, role: str) -> None:
        CourseAccessRole.objects.filter(user_id=user_id, course_key=course_key, role=role).delete()

    def add_forum_role(self, course_key: CourseKey, user_id: int, role: str) -> None:
        ForumRole.objects.get_or_create(user_id=user_id, course_key=course_key, role=role)

    def remove_forum_role(self, course_key: CourseKey, user_id: int, role: str) -> None:
        ForumRole.objects.filter(user_id=user_id, course_key=course_key, role=role).delete()

    def list_team(self, course_key: CourseKey, filters: TeamFilter, page: PageRequest) -> Page[TeamMember]:
        course_roles = CourseAccessRole.objects.filter(course_key=course_key, role__in=filters.course_roles)
        forum_roles = ForumRole.objects.filter(course_key=course_key, role__in=filters.forum_roles)
        # The roles tables first, in one query: every holder with their roles (a team, not every user),
        # then one page of their accounts by primary key. Unfiltered, the team's size is the holders'.
        held: dict[str, dict[int, set[str]]] = {_COURSE: {}, _FORUM: {}}
        rows = (
            course_roles.annotate(kind=Value(_COURSE))
            .values_list("user_id", "role", "kind")
            .union(forum_roles.annotate(kind=Value(_FORUM)).values_list("user_id", "role", "kind"), all=True)
        )
        for user_id, role, kind in rows:
            held[kind].setdefault(user_id, set()).add(role)
        holders = held[_COURSE].keys() | held[_FORUM].keys()
        members = users_with_profile().filter(pk__in=sorted(holders))
        if filters.search:
            members = TeamMemberFilterSet({"search": filters.search}, members).qs
            total = members.count()
        else:
            total = len(holders)
        window = list(members.order_by(Lower("username"), "pk")[page.offset : page.offset + page.limit])
        items = [
            TeamMember(
                user=to_user_data(user),
                course_roles=_in_order(held[_COURSE].get(user.pk, ()), filters.course_roles),
                forum_roles=_in_order(held[_FORUM].get(user.pk, ()), filters.forum_roles),
            )
            for user in window
        ]
        return Page(items=items, total=total)


def _in_order(held, order) -> tuple[str, ...]:
    return tuple(role for role in order if role in held)
