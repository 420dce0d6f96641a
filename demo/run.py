"""
Run the demo host (``make demo``): migrate, seed the demo course on first run, collect the static
files, start a Celery worker (with beat, which queues scheduled course emails as they come due), and
serve with gunicorn on http://127.0.0.1:8000 until Ctrl-C (or SIGTERM), which stops both.

``DEMO_BIND`` (default ``127.0.0.1:8000``) is the address gunicorn listens on, e.g.
``DEMO_BIND=0.0.0.0:8000`` to open it to other machines (with ``DEMO_ALLOWED_HOSTS`` naming the host
names they use). ``DEMO_LEARNERS`` (default 50) sets how many learners the first seeding enrolls; to
reseed, run ``python demo/manage.py seed_demo_course --learners N`` or delete ``demo/data/``.
``DEMO_DEBUG=1`` turns on Django's debug pages; ``DEMO_DATA_DIR`` moves ``demo/data/``.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connections

DEMO_DIR = Path(__file__).resolve().parent
SETTINGS_MODULE = "demo_host.settings"
#: Processes x threads: requests served at once, so that one slow request does not stall the MFE.
WEB_WORKERS = 3
WEB_THREADS = 4
STOP_SECONDS = 15


def demo_environment() -> dict[str, str]:
    """This process's environment, with the demo host importable and its settings selected."""
    environment = dict(os.environ, DJANGO_SETTINGS_MODULE=SETTINGS_MODULE)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(DEMO_DIR), os.environ.get("PYTHONPATH")]))
    return environment


def prepare() -> None:
    """Apply migrations, seed the demo course unless it exists already, and collect static files."""
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    django.setup()
    # The seed module reads models, which only load once Django is set up.
    from instructor_plugin.backends.builtin.seed import DEMO_COURSE_ID  # noqa: PLC0415

    call_command("migrate", interactive=False)
    course_model = apps.get_model("instructor_plugin_builtin", "Course")
    if not course_model.objects.filter(course_key=DEMO_COURSE_ID).exists():
        call_command("seed_demo_course", learners=int(os.environ.get("DEMO_LEARNERS", "50")))
    call_command("collectstatic", interactive=False, verbosity=0)
    connections.close_all()


def start_worker(environment: dict[str, str]) -> subprocess.Popen:
    """A Celery worker with beat in the background, on the broker-less filesystem transport."""
    command = [sys.executable, "-m", "celery", "-A", "demo_host", "worker", "-B", "--pool=solo", "-l", "info"]
    return subprocess.Popen(command, cwd=DEMO_DIR, env=environment)


def start_server(environment: dict[str, str]) -> subprocess.Popen:
    """gunicorn serving the demo host's WSGI application on ``DEMO_BIND``."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "demo_host.wsgi:application",
        f"--bind={settings.DEMO_BIND}",
        f"--workers={WEB_WORKERS}",
        f"--threads={WEB_THREADS}",
        f"--graceful-timeout={STOP_SECONDS - 5}",
        "--access-logfile=-",
        # Its control socket has one default path per user: two demo hosts would share it.
        "--no-control-socket",
    ]
    return subprocess.Popen(command, cwd=DEMO_DIR, env=environment)


def stop(process: subprocess.Popen) -> None:
    """Ask a process to finish (SIGTERM: gunicorn and Celery shut down gracefully), then kill it if it does not."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> int:
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    prepare()
    environment = demo_environment()
    print(
        f"\nDemo host on {settings.DEMO_URL}/ (sign in as instructor / edx; the home page links to the rest). "
        f"Data in {settings.DATA_DIR}. Ctrl-C stops it.\n",
        flush=True,
    )
    worker = start_worker(environment)
    server = None
    try:
        server = start_server(environment)
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if server is not None:
            stop(server)
        stop(worker)


if __name__ == "__main__":
    sys.exit(main())
