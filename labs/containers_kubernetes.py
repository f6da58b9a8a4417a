"""Docker and Kubernetes for a model server: write the Dockerfile and manifests, then lint them.

A container image packs the model server with its exact Python, libraries and weights, so
it runs the same on a laptop, a CI runner and a cluster. The Dockerfile should pin its base
image (never ``:latest``), run as a non-root user, ``EXPOSE`` the port the server listens on,
and start the server in exec form (a JSON list, so it receives SIGTERM). Kubernetes then runs
copies of the image: a Deployment (replicas, the pod template with the container, its CPU and
memory requests/limits, readiness and liveness probes on the health endpoint) and a Service
that selects the pods by label and forwards its port to the container port.

This lab has you generate both files for a model server, parses them (``yaml.safe_load_all``
and a small Dockerfile parser, no Docker or cluster needed), validates the manifests' shape
with a JSON schema (a small subset of what kubeconform or ``kubectl apply --dry-run=server``
check) and applies structural rules; each deliberately broken variant must be caught by
exactly the rule it breaks. Build and deploy for real with
``docker build -t IMAGE . && kubectl apply -f k8s.yaml``.

$ python labs/containers_kubernetes.py --quick
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

import kit

EXERCISES = ("make_dockerfile", "make_manifests")


@dataclass
class Config:
    app: str = "digits-mlp"  # name and label of everything
    image: str = "registry.example.com/digits-mlp:1.0.0"  # the tag the image is built as
    base_image: str = "python:3.11.9-slim"  # pinned base image
    port: int = 8000  # the port the server listens on in the container
    service_port: int = 80  # the port the Service exposes inside the cluster
    health_path: str = "/healthz"  # readiness and liveness probe endpoint
    uid: int = 10001  # non-root user id
    replicas: int = 2  # pods behind the Service
    cpu: tuple = ("250m", "1")  # (request, limit)
    memory: tuple = ("256Mi", "512Mi")  # (request, limit)


def make_dockerfile(cfg: Config) -> str:
    """A Dockerfile for the model server in ``server.py`` (deps in requirements.txt)."""
    return f"""\
# syntax=docker/dockerfile:1
FROM {cfg.base_image}
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY server.py model.onnx ./
RUN useradd --uid {cfg.uid} --no-create-home app
USER {cfg.uid}
EXPOSE {cfg.port}
CMD ["python", "server.py", "--port", "{cfg.port}"]
"""


def make_manifests(cfg: Config) -> str:
    """Kubernetes YAML (two documents): a Deployment of the image and a Service for it."""
    import yaml

    def labels() -> dict:
        return {"app": cfg.app}


    def probe(delay: int) -> dict:  # a fresh dict each time (shared ones dump as YAML anchors)
        return {"httpGet": {"path": cfg.health_path, "port": cfg.port}, "periodSeconds": 10,
                "initialDelaySeconds": delay}

    container = {
        "name": cfg.app, "image": cfg.image,
        "ports": [{"containerPort": cfg.port, "name": "http"}],
        "resources": {"requests": {"cpu": cfg.cpu[0], "memory": cfg.memory[0]},
                      "limits": {"cpu": cfg.cpu[1], "memory": cfg.memory[1]}},
        "readinessProbe": probe(2),
        "livenessProbe": probe(10),
        "securityContext": {"runAsNonRoot": True, "runAsUser": cfg.uid,
                            "allowPrivilegeEscalation": False},
    }
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": cfg.app, "labels": labels()},
        "spec": {"replicas": cfg.replicas, "selector": {"matchLabels": labels()},
                 "template": {"metadata": {"labels": labels()},
                              "spec": {"containers": [container]}}},
    }
    service = {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": cfg.app, "labels": labels()},
        "spec": {"selector": labels(),
                 "ports": [{"port": cfg.service_port, "targetPort": cfg.port, "name": "http"}]},
    }
    return yaml.safe_dump_all([deployment, service], sort_keys=False)


# ------------------------------------------------------------------ parsing and rules
def parse_dockerfile(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs; joins backslash continuations, drops comments."""
    out, buf = [], ""
    for line in text.splitlines():
        if not buf and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            buf += line.rstrip()[:-1] + " "
            continue
        full = (buf + line).strip()
        buf = ""
        instr, _, args = full.partition(" ")
        out.append((instr.upper(), args.strip()))
    return out


def parse_quantity(q) -> float:
    """Kubernetes resource quantity -> number: "250m" -> 0.25, "1Gi" -> 2**30, "1G" -> 1e9."""
    m = re.fullmatch(r"([0-9.]+(?:[eE][-+]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?", str(q))
    if not m:
        raise ValueError(f"not a quantity: {q!r}")
    scale = {None: 1, "n": 1e-9, "u": 1e-6, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
             "P": 1e15, "E": 1e18, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40,
             "Pi": 2**50, "Ei": 2**60}[m.group(2)]
    return float(m.group(1)) * scale


def dockerfile_violations(instrs: list[tuple[str, str]], cfg: Config) -> list[str]:
    """Names of the rules the parsed Dockerfile breaks."""
    bad = []
    froms = [a.split()[0] for i, a in instrs if i == "FROM"]
    image = froms[-1] if froms else ""
    tag = image.split("@")[0].rsplit(":", 1)[1] if ":" in image.split("/")[-1] else ""
    if "@sha256:" not in image and (not tag or tag == "latest"):
        bad.append("base image pinned")
    users = [a for i, a in instrs if i == "USER"]
    if not users or users[-1].split(":")[0] in ("root", "0"):
        bad.append("runs as non-root USER")
    exposed = {int(p.split("/")[0]) for i, a in instrs if i == "EXPOSE" for p in a.split()}
    if cfg.port not in exposed:
        bad.append("EXPOSE = server port")
    cmds = [a for i, a in instrs if i in ("CMD", "ENTRYPOINT")]
    if not cmds or not cmds[-1].startswith("["):
        bad.append("CMD in exec form")
    if any(i == "RUN" and "pip install" in a and "--no-cache-dir" not in a for i, a in instrs):
        bad.append("pip without cache")
    return bad


def manifest_violations(docs: list[dict], dockerfile: list[tuple[str, str]],
                        cfg: Config) -> list[str]:
    """Names of the rules the Deployment + Service break (uses the Dockerfile for EXPOSE)."""
    bad = []
    dep = next((d for d in docs if d and d.get("kind") == "Deployment"), None)
    svc = next((d for d in docs if d and d.get("kind") == "Service"), None)
    if dep is None or svc is None:
        return ["one Deployment and one Service"]
    tmpl_labels = dep["spec"]["template"]["metadata"].get("labels", {})
    if not dep["spec"]["selector"]["matchLabels"].items() <= tmpl_labels.items():
        bad.append("Deployment selector matches pod labels")
    svc_sel = svc["spec"].get("selector") or {}
    if not svc_sel or not svc_sel.items() <= tmpl_labels.items():
        bad.append("Service selector matches pod labels")
    c = dep["spec"]["template"]["spec"]["containers"][0]
    ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
    target = svc["spec"]["ports"][0].get("targetPort")
    if ports.get(target, target) not in ports.values():
        bad.append("Service targetPort = containerPort")
    exposed = {int(p.split("/")[0]) for i, a in dockerfile if i == "EXPOSE" for p in a.split()}
    if not set(ports.values()) <= exposed:
        bad.append("containerPort EXPOSEd in Dockerfile")
    res = c.get("resources", {})
    try:
        if not all(parse_quantity(res["requests"][k]) <= parse_quantity(res["limits"][k])
                   for k in ("cpu", "memory")):
            bad.append("resource requests <= limits")
    except (KeyError, TypeError, ValueError):
        bad.append("resource requests <= limits")
    for kind in ("readinessProbe", "livenessProbe"):
        get = c.get(kind, {}).get("httpGet", {})
        if get.get("path") != cfg.health_path or ports.get(get.get("port"), get.get("port")) \
                not in ports.values():
            bad.append(f"{kind} on the health path")
    if c["image"].endswith(":latest") or ":" not in c["image"].split("/")[-1]:
        bad.append("container image pinned")
    pod_sc = dep["spec"]["template"]["spec"].get("securityContext", {})
    sc = {**pod_sc, **c.get("securityContext", {})}  # the container's settings win
    if sc.get("runAsNonRoot") is not True:
        bad.append("runAsNonRoot")
    return bad


SCHEMA = {  # the shape kubectl would insist on, for the fields this lab uses
    "Deployment": {"type": "object", "required": ["apiVersion", "kind", "metadata", "spec"],
                   "properties": {"apiVersion": {"const": "apps/v1"},
                                  "metadata": {"required": ["name"]},
                                  "spec": {"required": ["selector", "template"], "properties": {
                                      "replicas": {"type": "integer", "minimum": 1},
                                      "template": {"required": ["metadata", "spec"], "properties": {
                                          "spec": {"required": ["containers"], "properties": {
                                              "containers": {
                                                  "type": "array", "minItems": 1,
                                                  "items": {"required": ["name", "image"]}}}}}}}}}},
    "Service": {"type": "object", "required": ["apiVersion", "kind", "metadata", "spec"],
                "properties": {"apiVersion": {"const": "v1"}, "metadata": {"required": ["name"]},
                               "spec": {"required": ["ports"], "properties": {"ports": {
                                   "type": "array", "minItems": 1,
                                   "items": {"required": ["port"]}}}}}},
}

BREAKS = {  # a deliberately broken variant -> the one rule it must trip
    "image :latest": ("container image pinned", lambda d, s: _c(d).update(image="app:latest")),
    "Service targetPort 8080": ("Service targetPort = containerPort",
                                lambda d, s: s["spec"]["ports"][0].update(targetPort=8080)),
    "Service selects app=web": ("Service selector matches pod labels",
                                lambda d, s: s["spec"].update(selector={"app": "web"})),
    "no memory limit": ("resource requests <= limits",
                        lambda d, s: _c(d)["resources"]["limits"].pop("memory")),
    "cpu request > limit": ("resource requests <= limits",
                            lambda d, s: _c(d)["resources"]["requests"].update(cpu="2")),
    "liveness on /": ("livenessProbe on the health path",
                      lambda d, s: _c(d)["livenessProbe"]["httpGet"].update(path="/")),
    "runAsNonRoot false": ("runAsNonRoot",
                           lambda d, s: _c(d).setdefault("securityContext", {})
                           .update(runAsNonRoot=False)),
}


def _c(dep: dict) -> dict:
    return dep["spec"]["template"]["spec"]["containers"][0]


def body(lab: kit.Lab) -> None:
    import jsonschema
    import yaml

    cfg = Config()
    lab.section("Dockerfile")
    instrs = []
    with lab.guard("make_dockerfile runs"):
        text = make_dockerfile(cfg)
        lab.save_file("Dockerfile").write_text(text)
        instrs = parse_dockerfile(text)
        lab.log("  " + " | ".join(f"{i} {a}"[:40] for i, a in instrs))
        lab.check_equal("Dockerfile rule violations", dockerfile_violations(instrs, cfg), [])
        broken = text.replace(cfg.base_image, "python:latest").replace(f"USER {cfg.uid}",
                                                                       "USER root")
        lab.check_equal("broken Dockerfile (latest, root) is caught",
                        sorted(set(dockerfile_violations(parse_dockerfile(broken), cfg))
                               & {"base image pinned", "runs as non-root USER"}),
                        ["base image pinned", "runs as non-root USER"])

    lab.section("Kubernetes manifests")
    with lab.guard("make_manifests runs"):
        text = make_manifests(cfg)
        lab.save_file("k8s.yaml").write_text(text)
        docs = [d for d in yaml.safe_load_all(text) if d]  # YAML, safe loader only
        anchors = re.findall(r"[&*]id\d+", text)  # PyYAML's names for shared (aliased) dicts
        lab.check_equal("no YAML anchors/aliases (plain, reviewable manifests)", anchors, [])
        lab.check_equal("documents (kinds)", sorted(d.get("kind", "?") for d in docs),
                        ["Deployment", "Service"])
        errors = []
        for d in docs:
            schema = SCHEMA.get(d.get("kind"), {"required": ["kind"]})
            errors += [f"{d.get('kind')}: {e.message}" for e in
                       jsonschema.Draft202012Validator(schema).iter_errors(d)]
        lab.check_equal("JSON-schema errors", errors, [])
        lab.check_equal("manifest rule violations", manifest_violations(docs, instrs, cfg), [])
        dep = next(d for d in docs if d["kind"] == "Deployment")
        lab.metric("replicas", dep["spec"]["replicas"])

        lab.section("each broken variant is caught by its rule")
        caught, base = {}, set(manifest_violations(docs, instrs, cfg))
        for name, (rule, breakit) in BREAKS.items():
            dd = copy.deepcopy(docs)
            dep = next(d for d in dd if d["kind"] == "Deployment")
            breakit(dep, next(d for d in dd if d["kind"] == "Service"))
            caught[name] = sorted(set(manifest_violations(dd, instrs, cfg)) - base) == [rule]
        lab.check_equal("broken manifests caught by exactly their rule", caught,
                        {k: True for k in BREAKS})

    lab.section("quantities (Kubernetes docs examples)")
    table = {"250m": 0.25, "1": 1.0, "1.5": 1.5, "128Mi": 128 * 2**20, "1Gi": 2**30, "1G": 1e9,
             "512Ki": 512 * 1024, "100M": 1e8, "1e3": 1000.0}
    lab.check_close("parse_quantity on documented examples",
                    [parse_quantity(k) for k in table], list(table.values()), rtol=1e-15)


def main(argv: list[str] | None = None) -> int:
    return kit.run("containers-kubernetes", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
