"""
Run the demo host (``make demo``): migrate, seed the demo course on first run, start a Celery
worker (with beat, which queues scheduled course emails as they come due), and serve on
http://localhost:8000 until Ctrl-C (or SIGTERM), which stops the worker too.

``DEMO_LEARNERS`` (default 50) sets how many learners the first seeding enrolls; to reseed,
run ``python demo/manage.py seed_demo_course --learners N`` or delete ``demo/data/``.
``DEMO_BIND`` (default ``0.0.0.0:8000``) is the address and port to serve on; ``DEMO_DATA_DIR``
(default ``demo/data/``) the folder holding everything the demo host writes.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import django
from django.apps import apps
from django.core.management import call_command
from django.db import connections

DEMO_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("DEMO_DATA_DIR", DEMO_DIR / "data")).resolve()
SETTINGS_MODULE = "demo_host.settings"
ADDRESS = os.environ.get("DEMO_BIND", "0.0.0.0:8000")
WORKER_STOP_SECONDS = 15


def demo_environment() -> dict[str, str]:
    """This process's environment, with the demo host importable and its settings selected."""
    environment = dict(os.environ, DJANGO_SETTINGS_MODULE=SETTINGS_MODULE)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(DEMO_DIR), os.environ.get("PYTHONPATH")]))
    return environment


def manage(*arguments: str) -> list[str]:
    """The command line of a ``manage.py`` command, run with this interpreter (the venv's)."""
    return [sys.executable, str(DEMO_DIR / "manage.py"), *arguments]


def prepare_database() -> None:
    """Apply migrations, then seed the demo course unless it exists already."""
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    django.setup()
    # The seed module reads models, which only load once Django is set up.
    from instructor_plugin.backends.builtin.seed import DEMO_COURSE_ID  # noqa: PLC0415

    call_command("migrate", interactive=False)
    course_model = apps.get_model("instructor_plugin_builtin", "Course")
    if not course_model.objects.filter(course_key=DEMO_COURSE_ID).exists():
        call_command("seed_demo_course", learners=int(os.environ.get("DEMO_LEARNERS", "50")))
    connections.close_all()


def start_worker(environment: dict[str, str]) -> subprocess.Popen:
    """A Celery worker with beat in the background, on the broker-less filesystem transport."""
    command = [sys.executable, "-m", "celery", "-A", "demo_host", "worker", "-B", "--pool=solo", "-l", "info"]
    return subprocess.Popen(command, cwd=DEMO_DIR, env=environment)


def stop(worker: subprocess.Popen) -> None:
    """Ask the worker to finish, and kill it if it does not in time."""
    if worker.poll() is None:
        worker.terminate()
    try:
        worker.wait(timeout=WORKER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def main() -> int:
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # Absolute, so that the worker (started in demo/) and this process share one folder.
    os.environ["DEMO_DATA_DIR"] = str(DATA_DIR)
    prepare_database()
    environment = demo_environment()
    print(
        f"\nDemo host on http://{ADDRESS} (sign in at /login, e.g. instructor / edx; API docs at "
        f"/api/instructor/v2/docs/). Data in {DATA_DIR}. Ctrl-C stops it.\n",
        flush=True,
    )
    worker = start_worker(environment)
    try:
        return subprocess.run(manage("runserver", ADDRESS, "--noreload"), env=environment, check=False).returncode
    except KeyboardInterrupt:
        return 0
    finally:
        stop(worker)


if __name__ == "__main__":
    sys.exit(main())
