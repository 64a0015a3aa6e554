"""A2A against the official a2a-sdk, both ways.

- The a2a-sdk client against `micro a2a serve --port 0`, over both 1.0 bindings (JSON-RPC and HTTP+JSON):
  fetches the card, sends (plain and streaming), gets and cancels a task; and talks 0.3 through the SDK's
  compat transport.
- `micro a2a card` and `micro a2a send` (our client, the delegate path) against an a2a-sdk agent
  (Tests/Python/a2a_agent.py) started on a free port.

The `micro` binary is $MICRO_BIN, else .build/debug/micro (build it first: `swift build --product micro`).
"""

import asyncio
import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from a2a.client import A2ACardResolver, ClientConfig, create_client
from a2a.types.a2a_pb2 import (
    CancelTaskRequest,
    GetTaskRequest,
    ListTasksRequest,
    Message,
    Part,
    Role,
    SendMessageRequest,
    TaskState,
)
from a2a.utils.errors import TaskNotCancelableError, TaskNotFoundError

ROOT = Path(__file__).resolve().parents[2]
MICRO = Path(os.environ.get("MICRO_BIN", ROOT / ".build" / "debug" / "micro"))
AGENT = Path(__file__).resolve().parent / "a2a_agent.py"
TRIP = "Trip booked: the hotel is confirmed, the tour deposit is paid and the forecast is mild."

# Loopback must never go through a proxy from the environment.
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


@contextlib.contextmanager
def micro_a2a(agent: str = "coordinator"):
    """Serves a bundled agent with `micro a2a serve --port 0`; yields its base URL."""
    assert MICRO.exists(), f"build micro first: {MICRO} is missing"
    process = subprocess.Popen(
        [str(MICRO), "a2a", "serve", "--agent", agent, "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout=30)
        match = re.search(r"over A2A on (http://127\.0\.0\.1:\d+)", line[0] if line else "")
        assert match, f"micro a2a serve did not start: {line!r} {process.poll()}"
        yield match.group(1)
    finally:
        stop(process)


def serve(*arguments: str) -> tuple[subprocess.Popen, str]:
    """Starts `micro a2a serve ARGUMENTS --port 0`; returns the process and its base URL once it listens."""
    process = subprocess.Popen(
        [str(MICRO), "a2a", "serve", *arguments, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout=30)
    match = re.search(r"over A2A on (http://127\.0\.0\.1:\d+)", line[0] if line else "")
    if not match:
        stop(process)
        pytest.fail(f"micro a2a serve did not start: {line!r} {process.stderr.read()}")
    return process, match.group(1)


def rpc(url: str, method: str, params: dict) -> dict:
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params}
    response = httpx.post(url + "/", json=body, headers={"A2A-Version": "1.0"}, timeout=30).json()
    assert "error" not in response, response
    return response["result"]


@contextlib.contextmanager
def python_agent():
    """Starts the a2a-sdk echo agent on a free port; yields its base URL once its card answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, str(AGENT), str(port)], stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            assert process.poll() is None, f"the a2a-sdk agent exited: {process.stderr.read()}"
            try:
                if httpx.get(f"{url}/.well-known/agent-card.json", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            pytest.fail("the a2a-sdk agent did not start")
        yield url
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def message(text: str, task_id: str = "") -> SendMessageRequest:
    return SendMessageRequest(message=Message(
        message_id=str(uuid.uuid4()), role=Role.ROLE_USER, parts=[Part(text=text)], task_id=task_id))


async def collect(client, request: SendMessageRequest) -> list:
    return [event async for event in client.send_message(request)]


def micro(*arguments: str) -> str:
    result = subprocess.run([str(MICRO), *arguments], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"micro {' '.join(arguments)} failed: {result.stderr}"
    return result.stdout


# MARK: The a2a-sdk client against micro


def test_sdk_fetches_our_card():
    async def run(url: str):
        async with httpx.AsyncClient() as http:
            card = await A2ACardResolver(http, url).get_agent_card()
        assert card.name == "coordinator"
        assert card.capabilities.streaming
        versions = {(i.protocol_binding, i.protocol_version) for i in card.supported_interfaces}
        assert ("JSONRPC", "1.0") in versions and ("JSONRPC", "0.3") in versions and ("HTTP+JSON", "1.0") in versions
        legacy = httpx.get(f"{url}/.well-known/agent.json").json()
        assert legacy["name"] == "coordinator" and legacy["url"].startswith(url)

    with micro_a2a() as url:
        asyncio.run(run(url))


BINDINGS = ["JSONRPC", "HTTP+JSON"]


def config(binding: str, streaming: bool) -> ClientConfig:
    return ClientConfig(streaming=streaming, supported_protocol_bindings=[binding])


@pytest.mark.parametrize("binding", BINDINGS)
def test_sdk_sends_a_plain_message(binding: str):
    async def run(url: str):
        client = await create_client(url, config(binding, streaming=False))
        try:
            events = await collect(client, message("Book my Lisbon trip"))
        finally:
            await client.close()
        assert len(events) == 1
        task = events[0].task
        assert task.status.state == TaskState.TASK_STATE_COMPLETED
        assert task.artifacts[0].parts[0].text == TRIP

    with micro_a2a() as url:
        asyncio.run(run(url))


@pytest.mark.parametrize("binding", BINDINGS)
def test_sdk_streams_a_message(binding: str):
    async def run(url: str):
        client = await create_client(url, config(binding, streaming=True))
        try:
            events = await collect(client, message("Book my Lisbon trip"))
        finally:
            await client.close()
        kinds = [event.WhichOneof("payload") for event in events]
        assert kinds[0] == "task"
        assert "artifact_update" in kinds
        artifact = next(e.artifact_update.artifact for e in events if e.HasField("artifact_update"))
        assert artifact.parts[0].text == TRIP
        states = [e.status_update.status.state for e in events if e.HasField("status_update")]
        assert states[0] == TaskState.TASK_STATE_WORKING
        assert states[-1] == TaskState.TASK_STATE_COMPLETED

    with micro_a2a() as url:
        asyncio.run(run(url))


@pytest.mark.parametrize("binding", BINDINGS)
def test_sdk_gets_resumes_and_cancels_tasks(binding: str):
    async def run(url: str):
        client = await create_client(url, config(binding, streaming=False))
        try:
            paused = (await collect(client, message("Book the Lisbon hotel")))[0].task
            assert paused.status.state == TaskState.TASK_STATE_INPUT_REQUIRED
            assert paused.status.message.parts[0].text == "Whose name is the booking under?"
            fetched = await client.get_task(GetTaskRequest(id=paused.id))
            assert fetched.status.state == TaskState.TASK_STATE_INPUT_REQUIRED

            # A follow-up on the same task answers the question and resumes the run.
            resumed = (await collect(client, message("Ada Lovelace", task_id=paused.id)))[0].task
            assert resumed.id == paused.id
            assert resumed.status.state == TaskState.TASK_STATE_COMPLETED
            assert resumed.artifacts[0].parts[0].text == "The booking is confirmed."

            other = (await collect(client, message("Book another hotel")))[0].task
            canceled = await client.cancel_task(CancelTaskRequest(id=other.id))
            assert canceled.status.state == TaskState.TASK_STATE_CANCELED
            assert (await client.get_task(GetTaskRequest(id=other.id))).status.state == TaskState.TASK_STATE_CANCELED
            listed = await client.list_tasks(ListTasksRequest(status=TaskState.TASK_STATE_CANCELED))
            assert [task.id for task in listed.tasks] == [other.id]
            with pytest.raises(TaskNotCancelableError):
                await client.cancel_task(CancelTaskRequest(id=other.id))
            with pytest.raises(TaskNotFoundError):
                await client.get_task(GetTaskRequest(id="no-such-task"))
        finally:
            await client.close()

    with micro_a2a("concierge") as url:
        asyncio.run(run(url))


def test_sdk_talks_03_to_us():
    async def run(url: str):
        async with httpx.AsyncClient() as http:
            card = await A2ACardResolver(http, url).get_agent_card()
        # Keep only the 0.3 interface: the SDK then uses its 0.3 compat transport (message/send, tasks/get).
        legacy = [i for i in card.supported_interfaces if i.protocol_version == "0.3"]
        del card.supported_interfaces[:]
        card.supported_interfaces.extend(legacy)
        client = await create_client(card, ClientConfig(streaming=False))
        try:
            task = (await collect(client, message("Book my Lisbon trip")))[0].task
            assert task.status.state == TaskState.TASK_STATE_COMPLETED
            assert task.artifacts[0].parts[0].text == TRIP
            assert (await client.get_task(GetTaskRequest(id=task.id))).status.state == TaskState.TASK_STATE_COMPLETED
        finally:
            await client.close()

    with micro_a2a() as url:
        asyncio.run(run(url))


# MARK: A server killed mid-task


@pytest.mark.parametrize("crash_after", [3, 6, 9])
def test_a_server_killed_mid_task_finishes_it_after_a_restart(tmp_path: Path, crash_after: int):
    """`micro a2a serve --db` SIGKILLs itself after N checkpoints (mid-task, its lease held); a new server
    (another process, so another owner) on the same file waits the lease out, finishes the task from its
    checkpoint with the answer intact, and no side effect of the travel services happens twice."""
    import sqlite3

    db = str(tmp_path / "a2a.sqlite")
    first, url = serve("--agent", "coordinator", "--db", db, "--lease", "1", "--crash-after", str(crash_after))
    try:
        sent = rpc(url, "SendMessage", {
            "message": {"messageId": "m-kill", "role": "ROLE_USER", "parts": [{"text": "Book my Lisbon trip"}]},
            "configuration": {"returnImmediately": True}})
        task_id = sent["task"]["id"]
        assert first.wait(timeout=60) == -9, "the server was to kill itself (SIGKILL)"
    finally:
        stop(first)

    second, url = serve("--agent", "coordinator", "--db", db, "--lease", "1")
    try:
        deadline = time.monotonic() + 60
        while True:
            task = rpc(url, "GetTask", {"id": task_id})
            if task["status"]["state"] not in ("TASK_STATE_SUBMITTED", "TASK_STATE_WORKING") or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert task["status"]["state"] == "TASK_STATE_COMPLETED", task
        assert task["artifacts"][0]["parts"][0]["text"] == TRIP
    finally:
        stop(second)

    with sqlite3.connect(db) as connection:
        effects = [key for (key,) in connection.execute(
            "SELECT key FROM micro_store WHERE namespace = 'micro.ledger' AND key LIKE 'effect/%'")]
    assert effects, "the travel services recorded no side effect"
    repeated = [key for key in effects if not key.endswith("#000001")]
    assert not repeated, f"side effects repeated after the restart: {repeated}"
    runs = json.loads(micro("runs", "list", "--db", db, "--json"))
    assert {run["status"] for run in runs} == {"completed"}, runs


# MARK: micro's client against an a2a-sdk agent


def test_micro_reads_the_card_of_an_sdk_agent():
    with python_agent() as url:
        out = micro("a2a", "card", url)
        assert '"name": "echo-agent"' in out
        assert '"streaming": true' in out


def test_micro_delegates_to_an_sdk_agent():
    with python_agent() as url:
        assert micro("a2a", "send", url, "hello there").strip() == "echo: hello there"
        streamed = micro("a2a", "send", url, "hello stream", "--stream").splitlines()
        assert any(line.startswith("artifact ") and line.endswith("echo: hello stream") for line in streamed)
        assert streamed[-1].endswith("completed (final)")
