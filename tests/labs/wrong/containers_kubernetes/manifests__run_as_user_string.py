"""Bug: runAsUser: "10001", a string where Kubernetes wants an integer."""


def manifests():
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
          securityContext: {runAsNonRoot: true, runAsUser: "10001",
                            allowPrivilegeEscalation: false}
---
apiVersion: v1
kind: Service
metadata: {name: digits-mlp}
spec:
  selector: {app: digits-mlp}
  ports: [{name: http, port: 80, targetPort: 8000}]
"""
