'''Another correct workflow shape: list-form triggers, named steps, multi-line run blocks,
${{ }}-wrapped conditions, restore-keys, a recursive hashFiles glob and a deploy
environment.'''


def workflow():
    return """\
name: CI
on: [push, pull_request]

env:
  PYTHONDONTWRITEBYTECODE: "1"

jobs:
  test:
    name: tests on Python ${{ matrix.python-version }}
    runs-on: ubuntu-22.04
    strategy:
      fail-fast: false
      matrix:
        python-version: ['3.10', '3.11', '3.12']
    steps:
      - name: Check out
        uses: actions/checkout@v4
      - name: Set up Python
        uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python-version }}
      - name: Cache pip downloads
        uses: actions/cache@v4
        with:
          path: ~/.cache/pip
          key: ${{ runner.os }}-${{ matrix.python-version }}-${{ hashFiles('**/requirements.txt') }}
          restore-keys: |
            ${{ runner.os }}-py${{ matrix.python-version }}-
      - name: Run the tests
        run: |
          python -m pytest -q

  lint:
    runs-on: ubuntu-22.04
    steps:
      - uses: actions/checkout@v4
      - name: Ruff
        run: python -m ruff check .

  build:
    needs:
      - test
      - lint
    runs-on: ubuntu-22.04
    steps:
      - uses: actions/checkout@v4
      - name: Build the zipapp
        run: |
          mkdir -p dist
          python -m zipapp src -m app:main -o dist/app.pyz
      - uses: actions/upload-artifact@v4
        with:
          name: app
          path: dist/app.pyz

  deploy:
    needs: [build]
    if: ${{ github.event_name == 'push' && github.ref == 'refs/heads/main' }}
    runs-on: ubuntu-22.04
    environment: production
    steps:
      - uses: actions/checkout@v4
      - uses: actions/download-artifact@v4
        with:
          name: app
          path: dist
      - name: Deploy
        run: python deploy.py dist/app.pyz
"""
