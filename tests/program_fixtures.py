"""Programs for the program enrollment tests: one holding the test course, another holding it too."""

from __future__ import annotations

from instructor_plugin.backends.builtin.models import Curriculum, CurriculumCourse, Program, ProgramAdmin

PROGRAM_UUID = "11111111-2222-4333-8444-555555555555"
CURRICULUM_UUID = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
OTHER_PROGRAM_UUID = "22222222-3333-4444-8555-666666666666"
OTHER_CURRICULUM_UUID = "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff"
#: The organisation authoring both programs.
ORG = "TestX"


def make_program(uuid: str, curriculum_uuid: str, course_keys, *, title: str = "Test Program", org: str = ORG):
    program = Program.objects.create(uuid=uuid, title=title, marketing_slug=title.lower().replace(" ", "-"), org=org)
    curriculum = Curriculum.objects.create(program=program, uuid=curriculum_uuid, name=f"{title} curriculum")
    for position, course_key in enumerate(course_keys):
        CurriculumCourse.objects.create(curriculum=curriculum, course_key=course_key, position=position)
    return program


def make_test_program(course_key):
    """The program whose curriculum holds the test course."""
    return make_program(PROGRAM_UUID, CURRICULUM_UUID, [course_key])


def make_other_program(course_key):
    """Another program of the same organisation holding the test course too."""
    return make_program(OTHER_PROGRAM_UUID, OTHER_CURRICULUM_UUID, [course_key], title="Other Program")


def make_admin(program, user):
    return ProgramAdmin.objects.create(program=program, user=user)
