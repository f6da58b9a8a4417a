"""Bug: ENTRYPOINT and a full CMD: the container runs python server.py python server.py ..."""


def dockerfile():
    return """\
FROM python:3.11.9-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY server.py model.json ./
USER 10001
EXPOSE 8000
ENTRYPOINT ["python", "server.py"]
CMD ["python", "server.py", "--port", "8000"]
"""
