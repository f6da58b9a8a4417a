"""Bug: No USER at all: the server runs as root."""


def dockerfile():
    return """\
FROM python:3.11.9-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY server.py model.json ./
EXPOSE 8000
CMD ["python", "server.py", "--port", "8000"]
"""
