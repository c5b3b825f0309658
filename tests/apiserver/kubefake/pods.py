"""The simulated scheduler and kubelet: pod status over (scaled) time.

A pod is scheduled `schedule_seconds` after the simulation first sees it,
its containers run at `start_seconds` and it turns Ready at `ready_seconds`.
A scripted behaviour changes that: crash (CrashLoopBackOff with a growing
restartCount), image_pull (ErrImagePull / ImagePullBackOff), config_error
(CreateContainerConfigError), unschedulable, or not_ready. A pod whose claim
is not Bound stays unschedulable, as with immediate-binding claims.
"""

import secrets
import time

from . import events
from .registry import now
from .resources import lookup

PODS = lookup("", "v1", "pods")
NODES = ("node-1", "node-2", "node-3")
UNSCHEDULABLE = ("0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: "
                 "3 No preemption victims found for incoming pod.")
UNBOUND = ("0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes "
           "are available: 3 Preemption is not helpful for scheduling.")


def go_duration(seconds):
    seconds = int(seconds)
    return "%ds" % seconds if seconds < 60 else "%dm%ds" % (seconds // 60, seconds % 60)


def _qos(pod):
    resources = [c.get("resources") or {} for c in pod["spec"].get("containers") or []]
    if not any(r.get("requests") or r.get("limits") for r in resources):
        return "BestEffort"
    if all(r.get("limits") and r.get("requests", r["limits"]) == r["limits"] for r in resources):
        return "Guaranteed"
    return "Burstable"


class PodState:
    """What the simulation remembers about one pod (by uid)."""

    def __init__(self, t0):
        self.t0 = t0
        self.behavior = None
        self.ready_at = None
        self.stamps = {}
        self.sent = set()
        self.container_id = secrets.token_hex(32)


class PodSim:
    """Moves pods through scheduling, container start and readiness."""

    def __init__(self, registry, config):
        self.registry, self.config = registry, config
        self.states = {}

    def state(self, pod):
        uid = pod["metadata"]["uid"]
        if uid not in self.states:
            self.states[uid] = PodState(time.monotonic())
        return self.states[uid]

    def attach(self, pod, behavior):
        st = self.state(pod)
        st.behavior = behavior
        st.ready_at = None

    def heal(self, pod):
        """Drops the behaviour; the containers restart and become Ready as new."""
        st = self.state(pod)
        if st.behavior:
            st.behavior = None
            st.t0 = time.monotonic() - self.config["schedule_seconds"]

    def ready_for(self, pod):
        """Seconds the pod has been Ready, or None."""
        st = self.states.get(pod["metadata"]["uid"])
        return None if st is None or st.ready_at is None else time.monotonic() - st.ready_at

    def forget(self, uid):
        self.states.pop(uid, None)

    def _stamp(self, st, key):
        return st.stamps.setdefault(key, now())

    def _event(self, st, pod, etype, reason, message, component="kubelet"):
        if (reason, message) not in st.sent:
            st.sent.add((reason, message))
            events.record(self.registry, pod, etype, reason, message, component, pod["spec"].get("nodeName", ""))

    def step(self, pod, claim_pending):
        """Advances one pod; writes spec.nodeName and status when they change."""
        if pod["metadata"].get("deletionTimestamp"):
            return
        st = self.state(pod)
        cfg = self.config
        elapsed = time.monotonic() - st.t0
        behavior = (st.behavior or {}).get("behavior")
        if elapsed < cfg["schedule_seconds"]:
            return self._write(pod, {"phase": "Pending", "qosClass": _qos(pod)})
        if behavior == "unschedulable" or claim_pending:
            message = UNBOUND if claim_pending and behavior != "unschedulable" else UNSCHEDULABLE
            self._event(st, pod, "Warning", "FailedScheduling", message, "default-scheduler")
            cond = {"type": "PodScheduled", "status": "False", "lastProbeTime": None,
                    "lastTransitionTime": self._stamp(st, "unscheduled"), "reason": "Unschedulable",
                    "message": message}
            return self._write(pod, {"phase": "Pending", "conditions": [cond], "qosClass": _qos(pod)})
        if not pod["spec"].get("nodeName"):
            index = int(pod["metadata"].get("labels", {}).get("apps.kubernetes.io/pod-index", "0") or 0)
            pod["spec"]["nodeName"] = NODES[index % len(NODES)]
            pod = self.registry.system_update(PODS, pod, "kube-scheduler")
            if pod is None:
                return
            self._event(st, pod, "Normal", "Scheduled", "Successfully assigned %s/%s to %s" % (
                pod["metadata"]["namespace"], pod["metadata"]["name"], pod["spec"]["nodeName"]),
                "default-scheduler")
        self._write(pod, self._running_status(pod, st, elapsed, behavior))

    def _container(self, pod, st, c, elapsed, behavior):
        cfg, name = self.config, c["name"]
        image = c.get("image", "")
        out = {"name": name, "image": image, "imageID": "", "ready": False, "restartCount": 0,
               "started": False}
        if behavior == "image_pull":
            flip = int(elapsed / cfg["image_pull_backoff_seconds"]) % 2
            if flip:
                msg = 'Back-off pulling image "%s"' % image
                out["state"] = {"waiting": {"reason": "ImagePullBackOff", "message": msg}}
                self._event(st, pod, "Normal", "BackOff", msg)
                self._event(st, pod, "Warning", "Failed", "Error: ImagePullBackOff")
            else:
                ref = image if "/" in image else "docker.io/library/" + image
                msg = ('rpc error: code = NotFound desc = failed to pull and unpack image "%s": failed to '
                       'resolve reference "%s": %s: not found' % (ref, ref, ref))
                out["state"] = {"waiting": {"reason": "ErrImagePull", "message": msg}}
                self._event(st, pod, "Warning", "Failed", 'Failed to pull image "%s": %s' % (image, msg))
                self._event(st, pod, "Warning", "Failed", "Error: ErrImagePull")
            return out
        if behavior == "config_error":
            msg = 'secret "%s" not found' % (st.behavior.get("secret") or "x")
            out["state"] = {"waiting": {"reason": "CreateContainerConfigError", "message": msg}}
            self._event(st, pod, "Warning", "Failed", "Error: " + msg)
            return out
        if elapsed < cfg["start_seconds"]:
            out["state"] = {"waiting": {"reason": "ContainerCreating"}}
            return out
        out["imageID"] = image + "@sha256:" + st.container_id
        out["containerID"] = "containerd://" + st.container_id
        if behavior == "crash":
            restarts = 1 + int((elapsed - cfg["start_seconds"]) / cfg["crash_seconds"])
            backoff = go_duration(min(10 * 2 ** (restarts - 1), 300))
            ident = "%s_%s(%s)" % (pod["metadata"]["name"], pod["metadata"]["namespace"], pod["metadata"]["uid"])
            out["restartCount"] = restarts
            out["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message":
                                        "back-off %s restarting failed container=%s pod=%s" % (backoff, name, ident)}}
            out["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error",
                                               "startedAt": self._stamp(st, "started"),
                                               "finishedAt": self._stamp(st, "crash%d" % restarts),
                                               "containerID": out["containerID"]}}
            self._event(st, pod, "Warning", "BackOff", "Back-off restarting failed container %s in pod %s"
                        % (name, ident))
            return out
        out["started"] = True
        out["state"] = {"running": {"startedAt": self._stamp(st, "started")}}
        out["ready"] = elapsed >= cfg["ready_seconds"] and behavior != "not_ready"
        return out

    def _running_status(self, pod, st, elapsed, behavior):
        containers = [self._container(pod, st, c, elapsed, behavior) for c in pod["spec"].get("containers") or []]
        ready = bool(containers) and all(c["ready"] for c in containers)
        if ready and st.ready_at is None:
            st.ready_at = time.monotonic()
        if not ready:
            st.ready_at = None
        running = any("running" in c["state"] or c["restartCount"] for c in containers)
        unready = [c["name"] for c in containers if not c["ready"]]

        def cond(kind, ok, reason=None):
            c = {"type": kind, "status": "True" if ok else "False", "lastProbeTime": None,
                 "lastTransitionTime": self._stamp(st, (kind, ok))}
            if not ok and reason:
                c["reason"] = reason
                c["message"] = "containers with unready status: [%s]" % " ".join(unready)
            return c
        node = pod["spec"]["nodeName"]
        host_ip = "172.18.0.%d" % (2 + NODES.index(node)) if node in NODES else "172.18.0.2"
        status = {
            "phase": "Running" if running else "Pending",
            "conditions": [cond("PodReadyToStartContainers", running or elapsed >= self.config["start_seconds"]),
                           cond("Initialized", True), cond("Ready", ready, "ContainersNotReady"),
                           cond("ContainersReady", ready, "ContainersNotReady"), cond("PodScheduled", True)],
            "hostIP": host_ip, "hostIPs": [{"ip": host_ip}],
            "startTime": self._stamp(st, "scheduled"), "containerStatuses": containers, "qosClass": _qos(pod),
        }
        if running:
            subnet = 1 + (NODES.index(node) if node in NODES else 0)
            ip = "10.244.%d.%d" % (subnet, 2 + int(pod["metadata"]["uid"][:4], 16) % 250)
            status["podIP"] = st.stamps.setdefault("ip", ip)
            status["podIPs"] = [{"ip": status["podIP"]}]
        return status

    def _write(self, pod, status):
        if pod.get("status") != status:
            pod["status"] = status
            self.registry.system_update(PODS, pod, "kubelet", "status")
