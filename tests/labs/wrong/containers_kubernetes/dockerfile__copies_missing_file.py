"""Bug: COPY model.onnx, a file the build context does not have (it ships model.json)."""


def dockerfile():
    return """\
FROM python:3.11.9-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY server.py model.onnx ./
USER 10001
EXPOSE 8000
CMD ["python", "server.py", "--port", "8000"]
"""
