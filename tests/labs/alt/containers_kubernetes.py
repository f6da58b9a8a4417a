"""Another correct answer: port 8080 throughout, a multi-stage build, block-style YAML,
probes and targetPort by port name, and the user id set at pod level."""


def dockerfile():
    return """\
# syntax=docker/dockerfile:1
FROM python:3.12.4-slim-bookworm AS deps
WORKDIR /deps
COPY requirements.txt ./
RUN python -m pip install --no-cache-dir --prefix=/install -r requirements.txt

FROM python:3.12.4-slim-bookworm
LABEL org.opencontainers.image.title="digits-mlp"
COPY --from=deps /install /usr/local
WORKDIR /srv
COPY server.py model.json /srv/
USER 10001:10001
EXPOSE 8080/tcp
ENTRYPOINT ["python", "server.py"]
CMD ["--host", "0.0.0.0", "--port", "8080"]
"""


def manifests():
    return """\
---
apiVersion: v1
kind: Service
metadata:
  name: digits-mlp
  labels:
    app.kubernetes.io/name: digits-mlp
spec:
  type: ClusterIP
  selector:
    app.kubernetes.io/name: digits-mlp
  ports:
    - name: web
      port: 80
      targetPort: web
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: digits-mlp
spec:
  replicas: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: digits-mlp
  template:
    metadata:
      labels:
        app.kubernetes.io/name: digits-mlp
        app.kubernetes.io/version: "1.0.0"
    spec:
      securityContext:
        runAsUser: 10001
        runAsGroup: 10001
        runAsNonRoot: true
      containers:
        - name: digits-mlp
          image: registry.example.com/digits-mlp:1.0.0
          ports:
            - name: web
              containerPort: 8080
              protocol: TCP
          resources:
            requests:
              cpu: "0.5"
              memory: 512Mi
            limits:
              cpu: 500m
              memory: 0.5Gi
          readinessProbe:
            httpGet:
              path: /healthz
              port: web
          livenessProbe:
            httpGet:
              path: /healthz
              port: 8080
            failureThreshold: 3
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
"""
