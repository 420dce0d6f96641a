"""The Open edX backend keeps the backend contract, for every capability it implements."""

from __future__ import annotations

import pytest
from completion.waffle import ENABLE_COMPLETION_TRACKING_SWITCH
from edx_toggles.toggles.testutils import override_waffle_switch

from instructor_plugin.backends.contract.suite import (
    CompletionContract,
    CourseContract,
    DueDateContract,
    RoleContract,
    SiteConfigContract,
    UserContract,
)
from instructor_plugin.backends.openedx import openedx_backend

from .world import OpenedxWorld


class TestOpenedxBackend(
    CourseContract, UserContract, RoleContract, DueDateContract, CompletionContract, SiteConfigContract
):
    @pytest.fixture
    def backend(self):
        return openedx_backend()

    @pytest.fixture
    def world(self, db):
        # An LMS that tracks completion has this switch on.
        with override_waffle_switch(ENABLE_COMPLETION_TRACKING_SWITCH, active=True):
            yield OpenedxWorld()
