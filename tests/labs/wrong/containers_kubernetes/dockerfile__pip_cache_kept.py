"""Bug: pip install without --no-cache-dir: the wheel cache bloats the image."""


def dockerfile():
    return """\
FROM python:3.11.9-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY server.py model.json ./
USER 10001
EXPOSE 8000
CMD ["python", "server.py", "--port", "8000"]
"""
