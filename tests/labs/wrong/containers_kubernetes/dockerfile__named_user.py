"""Bug: USER app: a name Kubernetes cannot check against runAsNonRoot."""


def dockerfile():
    return """\
FROM python:3.11.9-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY server.py model.json ./
RUN useradd --uid 10001 --no-create-home app
USER app
EXPOSE 8000
CMD ["python", "server.py", "--port", "8000"]
"""
