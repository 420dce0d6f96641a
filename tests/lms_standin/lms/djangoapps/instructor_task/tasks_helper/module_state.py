"""
Stand-in of openedx-platform ``lms/djangoapps/instructor_task/tasks_helper/module_state.py``: the
per-learner update functions the instructor tasks run, with the platform's signatures and statuses.

The platform loads the problem's XBlock for the learner and lets it rescore or take a score; here a
problem's answers are graded from the ``correct_map`` of its JSON state (the share marked correct,
times the maximum), which is what a capa problem's rescore amounts to for the tests.
"""

import json

from ..exceptions import UpdateProblemModuleStateError
from .utils import UPDATE_STATUS_SKIPPED, UPDATE_STATUS_SUCCEEDED


def _state(student_module):
    return json.loads(student_module.state) if student_module.state else {}


def rescore_problem_module_state(xblock_instance_args, block, student_module, task_input):
    """Grade the learner's saved answers again; skipped when they submitted none."""
    correct_map = _state(student_module).get("correct_map") or {}
    if not correct_map or student_module.max_grade is None:
        return UPDATE_STATUS_SKIPPED
    correct = sum(1 for entry in correct_map.values() if entry.get("correctness") == "correct")
    new_grade = student_module.max_grade * correct / len(correct_map)
    if task_input["only_if_higher"] and student_module.grade is not None and student_module.grade >= new_grade:
        return UPDATE_STATUS_SUCCEEDED
    student_module.grade = new_grade
    student_module.save()
    return UPDATE_STATUS_SUCCEEDED


def override_score_module_state(xblock_instance_args, block, student_module, task_input):
    """Give the learner ``task_input["score"]``, between 0 and the problem's maximum."""
    score = float(task_input["score"])
    if not 0 <= score <= (student_module.max_grade or 0):
        raise UpdateProblemModuleStateError("Score must be between 0 and the maximum points available for the problem.")
    student_module.grade = score
    student_module.save()
    return UPDATE_STATUS_SUCCEEDED


def reset_attempts_module_state(xblock_instance_args, _block, student_module, _task_input):
    """Set ``attempts`` in the state to 0; skipped when there were none."""
    state = _state(student_module)
    if not state.get("attempts"):
        return UPDATE_STATUS_SKIPPED
    state["attempts"] = 0
    student_module.state = json.dumps(state)
    student_module.save()
    return UPDATE_STATUS_SUCCEEDED


def delete_problem_module_state(xblock_instance_args, _block, student_module, _task_input):
    """Delete the learner's ``StudentModule``."""
    student_module.delete()
    return UPDATE_STATUS_SUCCEEDED
