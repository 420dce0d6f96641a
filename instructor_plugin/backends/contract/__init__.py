"""
The backend contract suite, shipped so that a host can check its own backend.

It needs pytest and pytest-django (test dependencies: nothing of the plugin imports this package
at run time). A host runs it from one test module of its own::

    # conftest.py: have pytest explain failing asserts inside the suite
    pytest.register_assert_rewrite("instructor_plugin.backends.contract")

    # test_my_backend.py
    import pytest
    from instructor_plugin.backends.contract.suite import BackendContract, World

    class MyWorld(World):
        ...  # writes courses, blocks, users and roles into the host's own storage

    class TestMyBackend(BackendContract):  # or only some capability classes, e.g. UserContract
        @pytest.fixture
        def backend(self):
            return my_backend()  # an instructor_plugin.backends.registry.Backend

        @pytest.fixture
        def world(self, db):
            return MyWorld()
"""
