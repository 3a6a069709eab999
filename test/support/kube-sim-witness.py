#!/usr/bin/python3
"""A second witness for kube-sim: the official Kubernetes Python client (Debian's python3-kubernetes), a client
nobody here wrote, walks a pod's life against it.

Usage: kube-sim-witness.py KUBECONFIG NAMESPACE IMAGE

Prints `ok <step>` per step and exits 0; on the first failure prints `FAIL <step>: <why>` and exits 1.
"""
import sys
import time

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException
from kubernetes.stream import stream

KUBECONFIG, NS, IMAGE = sys.argv[1], sys.argv[2], sys.argv[3]
POD = "witness"
CLAIM = "witness-data"


class StepFailed(Exception):
    pass


def check(cond, why):
    if not cond:
        raise StepFailed(why)


def step(name, fn):
    try:
        fn()
    except StepFailed as e:
        print(f"FAIL {name}: {e}", flush=True)
        sys.exit(1)
    except ApiException as e:
        print(f"FAIL {name}: HTTP {e.status} {e.reason}: {e.body}", flush=True)
        sys.exit(1)
    except Exception as e:  # noqa: BLE001 - any crash of the client is a failed step
        print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
        sys.exit(1)
    print(f"ok {name}", flush=True)


def api_error(call):
    """Runs a call that must fail; returns (HTTP status, reason from the Status body)."""
    try:
        call()
    except ApiException as e:
        import json
        return e.status, json.loads(e.body).get("reason")
    raise StepFailed("the call succeeded but should have failed")


config.load_kube_config(config_file=KUBECONFIG)
core = client.CoreV1Api()
rbac = client.RbacAuthorizationV1Api()
ns_rv = {}


def create_namespace():
    ns = core.create_namespace({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    check(ns.status.phase == "Active", f"namespace phase {ns.status.phase}")


def create_pvc():
    core.create_namespaced_persistent_volume_claim(NS, {
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": CLAIM},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    })


def create_pod():
    ns_rv["list"] = core.list_namespaced_pod(NS).metadata.resource_version
    core.create_namespaced_pod(NS, {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": POD, "labels": {"app": "witness"}},
        "spec": {
            "restartPolicy": "Never", "terminationGracePeriodSeconds": 1,
            "containers": [{
                "name": "main", "image": IMAGE,
                "command": ["sh", "-c", "echo hello from the witness; echo kept > /data/file; exec sleep 3600"],
                "volumeMounts": [{"name": "data", "mountPath": "/data"}],
            }],
            "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": CLAIM}}],
        },
    })


def watch_running():
    # No request but this watch runs until the pod is Running: kube-sim's controllers must act on their own.
    seen = []
    w = watch.Watch()
    for ev in w.stream(core.list_namespaced_pod, NS, field_selector=f"metadata.name={POD}",
                       resource_version=ns_rv["list"], allow_watch_bookmarks=True, timeout_seconds=60):
        if ev["type"] == "BOOKMARK":
            continue
        seen.append(ev["type"])
        pod = ev["object"]
        if pod.status.phase == "Running" and pod.status.container_statuses and pod.status.container_statuses[0].ready:
            w.stop()
            break
    check(seen[:1] == ["ADDED"], f"first event was not ADDED: {seen}")
    check("MODIFIED" in seen, f"no MODIFIED event on the way to Running: {seen}")
    check(core.read_namespaced_pod(POD, NS).status.phase == "Running", "the watch ended before the pod was Running")


def exec_in_pod():
    resp = stream(core.connect_get_namespaced_pod_exec, POD, NS, container="main",
                  command=["sh", "-c", "cat /data/file; echo to-stderr >&2; exit 3"],
                  stderr=True, stdin=False, stdout=True, tty=False, _preload_content=False)
    resp.run_forever(timeout=20)
    out, err = resp.read_stdout(), resp.read_stderr()
    check(out == "kept\n", f"stdout {out!r}")
    check(err == "to-stderr\n", f"stderr {err!r}")
    check(resp.returncode == 3, f"exit code {resp.returncode}")


def read_logs():
    logs = core.read_namespaced_pod_log(POD, NS, container="main")
    check(logs == "hello from the witness\n", f"logs {logs!r}")


def patch_labels():
    core.patch_namespaced_pod(POD, NS, {"metadata": {"labels": {"patched": "yes"}}})
    pod = core.read_namespaced_pod(POD, NS)
    check(pod.metadata.labels == {"app": "witness", "patched": "yes"}, f"labels {pod.metadata.labels}")
    picked = core.list_namespaced_pod(NS, label_selector="patched=yes").items
    check([p.metadata.name for p in picked] == [POD], "label selector did not find the patched pod")


def create_rolebinding():
    rb = rbac.create_namespaced_role_binding(NS, {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "witness-view"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": NS}],
    })
    check(rb.role_ref.name == "view", f"roleRef {rb.role_ref}")
    check(rbac.read_namespaced_role_binding("witness-view", NS).subjects[0].name == "default", "subject not stored")


def read_missing():
    code, reason = api_error(lambda: core.read_namespaced_pod("no-such-pod", NS))
    check((code, reason) == (404, "NotFound"), f"got {code} {reason}")


def create_invalid():
    code, reason = api_error(lambda: core.create_namespaced_config_map(NS, {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Not_A_Valid_Name"}, "data": {"k": "v"},
    }))
    check((code, reason) == (422, "Invalid"), f"got {code} {reason}")


def delete_pod():
    rv = core.read_namespaced_pod(POD, NS).metadata.resource_version
    core.delete_namespaced_pod(POD, NS)
    w = watch.Watch()
    deleted = False
    for ev in w.stream(core.list_namespaced_pod, NS, field_selector=f"metadata.name={POD}", resource_version=rv,
                       timeout_seconds=30):
        if ev["type"] == "DELETED":
            deleted = True
            w.stop()
            break
    check(deleted, "no DELETED event within 30 s")
    code, _ = api_error(lambda: core.read_namespaced_pod(POD, NS))
    check(code == 404, f"the pod is still readable ({code})")


def delete_namespace():
    core.delete_namespace(NS)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            core.read_namespace(NS)
        except ApiException as e:
            check(e.status == 404, f"read of the namespace gave {e.status}")
            return
        time.sleep(0.2)
    raise StepFailed("the namespace was still there after 30 s")


for name, fn in [
    ("create namespace", create_namespace), ("create pvc", create_pvc), ("create pod", create_pod),
    ("watch until running", watch_running), ("exec", exec_in_pod), ("logs", read_logs),
    ("patch labels", patch_labels), ("create rolebinding", create_rolebinding), ("read missing", read_missing),
    ("create invalid", create_invalid), ("delete pod", delete_pod), ("delete namespace", delete_namespace),
]:
    step(name, fn)
print("witness passed", flush=True)
