"""The Ray backend's log reader, with a fake Jobs client: no cluster needed.

A log stream that breaks mid-run (a WebSocket closed under load) must not lose the result:
once the job has ended, the reader reads the job's whole log and handles the lines it had
not seen, the result's marked lines included.
"""

from __future__ import annotations

from graph.backends.ray import _LogReader
from graph.remote import MARK

LOG = ["lab starts", f"{MARK} data abc", "halfway", f"{MARK} data def",
       f'{MARK} outcome {{"status": "pass", "sha256": "x"}}', ""]


class FakeClient:
    def __init__(self, break_after: int | None) -> None:
        self.break_after = break_after

    async def tail_job_logs(self, job_id: str):
        for i, line in enumerate(LOG[:-1]):
            if i == self.break_after:
                raise RuntimeError("WebSocket connection closed unexpectedly with close code 1006")
            yield line + "\n"

    def get_job_logs(self, job_id: str) -> str:
        return "\n".join(LOG)


def read(break_after: int | None) -> tuple[_LogReader, list[str]]:
    shown: list[str] = []
    reader = _LogReader(FakeClient(break_after), "job-1", shown.append)
    reader.run()
    if reader.broken:
        reader.catch_up()
    return reader, shown


def test_a_whole_stream_gives_the_chunks_and_the_outcome() -> None:
    reader, shown = read(None)
    assert not reader.broken
    assert reader.chunks == ["abc", "def"] and reader.outcome == {"status": "pass", "sha256": "x"}
    assert shown == ["lab starts", "halfway"]


def test_a_broken_stream_catches_up_from_the_whole_log_without_repeating() -> None:
    reader, shown = read(2)  # broke after two lines
    assert reader.broken
    assert reader.chunks == ["abc", "def"] and reader.outcome == {"status": "pass", "sha256": "x"}
    assert shown[0] == "lab starts" and "broke" in shown[1] and shown[2:] == ["halfway"]
