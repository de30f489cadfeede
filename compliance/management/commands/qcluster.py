"""`qcluster`: django-q2's background worker cluster, stopping within seconds when asked.

On SIGTERM or Ctrl-C django-q2 lets running tasks finish, which can take up to Q_TIMEOUT;
a deploy or `make demo`'s Ctrl-C should not wait that long. Here running tasks get
Q_STOP_SECONDS to finish, then the cluster's processes are ended. No task is lost: one
interrupted stays in the queue and is handed out again after `Q_CLUSTER["retry"]` seconds,
and every task of ours may safely run twice (a built memo is left as it is; an evaluation
recomputes the same results).
"""

import logging
import os
import signal
import threading

import psutil
from django.conf import settings
from django_q.cluster import Cluster
from django_q.management.commands import qcluster

logger = logging.getLogger(__name__)
ROUNDS = 3


class PromptCluster(Cluster):
    """A cluster whose stop ends still-running tasks after a grace period."""

    def sig_handler(self, signum, frame):
        deadline = threading.Timer(settings.Q_STOP_SECONDS, end_children)
        deadline.daemon = True
        deadline.start()
        super().sig_handler(signum, frame)


def end_children() -> None:
    """End every process the cluster started: workers and monitor first, then the sentinel,
    so that none is started again meanwhile; repeated until none is left."""
    ended = 0
    for _ in range(ROUNDS):
        children = psutil.Process().children(recursive=True)
        if not children:
            break
        for child in reversed(children):
            try:
                child.send_signal(signal.SIGKILL)
            except psutil.NoSuchProcess:
                continue
        ended += len(children)
        psutil.wait_procs(children, timeout=1)
    if ended:
        logger.warning(
            "Tasks still running %ss after the stop request were ended; they run again after %ss.",
            settings.Q_STOP_SECONDS,
            settings.Q_CLUSTER.get("retry"),
        )


class Command(qcluster.Command):
    help = "Starts the background worker cluster; it stops within seconds of SIGTERM or Ctrl-C."

    def handle(self, *args, **options):
        settings.SECRET_KEY  # noqa: B018 - signing needs it: fail before starting, as django-q2
        if options.get("cluster_name"):
            os.environ["Q_CLUSTER_NAME"] = options["cluster_name"]
        cluster = PromptCluster()
        cluster.start()
        if options.get("run_once", False):
            cluster.stop()
