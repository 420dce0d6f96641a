"""A task type that kills the worker process running it, loaded only by the worker of this suite."""

import os
import signal

from instructor_plugin.instructor_tasks import ItemResult, task_type

KILLS_ITS_WORKER = "test_kills_its_worker"


@task_type(KILLS_ITS_WORKER)
def _kills_its_worker(run):
    def apply(n):
        if n == run.input["die_at"]:
            os.kill(os.getpid(), signal.SIGKILL)
        return ItemResult(identifier=f"item{n}", succeeded=True)

    run.each(range(run.input["total"]), apply, total=run.input["total"], chunk_size=2)
    return {"message": "Unreachable."}
