"""Bug: FROM python:latest: the base image changes under you (hadolint DL3007)."""


def dockerfile():
    return """\
FROM python:latest
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY server.py model.json ./
USER 10001
EXPOSE 8000
CMD ["python", "server.py", "--port", "8000"]
"""
