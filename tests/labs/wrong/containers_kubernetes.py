"""A deliberately wrong solution: an unpinned base image running as root, a Service that
forwards to the Service port instead of the container port, and probes on "/"."""

import yaml


def make_dockerfile(cfg):
    return f"""FROM python:latest
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt
EXPOSE {cfg.port}
CMD python server.py --port {cfg.port}
"""


def make_manifests(cfg):
    labels = {"app": cfg.app}
    probe = {"httpGet": {"path": "/", "port": cfg.port}}
    container = {
        "name": cfg.app, "image": cfg.image, "ports": [{"containerPort": cfg.port}],
        "resources": {"requests": {"cpu": cfg.cpu[0], "memory": cfg.memory[0]},
                      "limits": {"cpu": cfg.cpu[1], "memory": cfg.memory[1]}},
        "readinessProbe": probe, "livenessProbe": probe,
    }
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": cfg.app},
                  "spec": {"replicas": cfg.replicas, "selector": {"matchLabels": labels},
                           "template": {"metadata": {"labels": labels},
                                        "spec": {"containers": [container]}}}}
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": cfg.app},
               "spec": {"selector": labels,
                        "ports": [{"port": cfg.service_port, "targetPort": cfg.service_port}]}}
    return yaml.safe_dump_all([deployment, service])
