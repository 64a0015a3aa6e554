"""The official Python `mcp` SDK against `micro mcp serve` (stdio and Streamable HTTP, legacy and auto modes, so
both protocol eras), and `micro mcp tools` / `micro mcp call` against a Python MCP server written with the SDK.

Needs MICRO_BIN (the built `micro`) and the `mcp` package."""

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest

from mcp import Client, StdioServerParameters

MICRO = os.environ.get("MICRO_BIN", "micro")
PEER = str(Path(__file__).with_name("mcp_server.py"))
WEATHER = {"city": "Lisbon", "from": "2026-05-01", "days": 1}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, attempts: int = 500) -> None:
    """Polls until `port` accepts connections (bounded), failing if the process exits first."""
    for _ in range(attempts):
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"nothing listens on {port}")


@pytest.fixture(scope="module")
def micro_http():
    port = free_port()
    process = subprocess.Popen([MICRO, "mcp", "serve", "--http", str(port)], stdout=subprocess.PIPE)
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=10)


async def exercise(client: Client) -> None:
    tools = await client.list_tools()
    names = {tool.name for tool in tools.tools}
    assert "weather_forecast" in names and "travel_hotels_book" in names
    forecast = next(tool for tool in tools.tools if tool.name == "weather_forecast")
    assert forecast.output_schema is not None

    result = await client.call_tool("weather_forecast", WEATHER)
    assert not result.is_error
    assert result.structured_content["city"] == "Lisbon"
    assert json.loads(result.content[0].text)["days"][0]["date"] == "2026-05-01"

    failed = await client.call_tool("weather_forecast", {"city": "Lisbon"})
    assert failed.is_error

    resources = await client.list_resources()
    uris = [resource.uri for resource in resources.resources]
    assert "micro://services/weather" in [str(uri) for uri in uris]
    contents = await client.read_resource("micro://services/weather")
    described = json.loads(contents.contents[0].text)
    assert described["name"] == "weather"
    assert described["versions"][0]["endpoints"][0]["name"] == "forecast"

    prompts = await client.list_prompts()
    assert {prompt.name for prompt in prompts.prompts} >= {"coordinator", "booker"}


@pytest.mark.parametrize("mode,era", [("legacy", "2025-11-25"), ("auto", "2026-07-28")])
def test_official_client_over_stdio(mode, era):
    async def main():
        params = StdioServerParameters(command=MICRO, args=["mcp", "serve", "--stdio"])
        async with Client(params, mode=mode) as client:
            assert client.protocol_version == era
            await exercise(client)

    anyio.run(main)


@pytest.mark.parametrize("mode,era", [("legacy", "2025-11-25"), ("auto", "2026-07-28")])
def test_official_client_over_http(micro_http, mode, era):
    async def main():
        async with Client(micro_http, mode=mode) as client:
            assert client.protocol_version == era
            await exercise(client)

    anyio.run(main)


def micro(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([MICRO, "mcp", *args], capture_output=True, text=True, timeout=60)


PEER_COMMAND = f"{sys.executable} {PEER}"


@pytest.mark.parametrize("mode", ["auto", "legacy"])
def test_our_client_lists_and_calls_a_python_server_over_stdio(mode):
    listed = micro("tools", PEER_COMMAND, "--json", "--mode", mode)
    assert listed.returncode == 0, listed.stderr
    tools = {tool["name"]: tool for tool in json.loads(listed.stdout)}
    assert set(tools) == {"add", "shout", "fail"}
    assert tools["add"]["inputSchema"]["required"] == ["a", "b"]

    called = micro("call", PEER_COMMAND, "add", "--args", '{"a": 2, "b": 40}', "--json", "--mode", mode)
    assert called.returncode == 0, called.stderr
    result = json.loads(called.stdout)
    assert result["isError"] is False
    assert result["content"][0]["text"] == "42"

    failed = micro("call", PEER_COMMAND, "fail", "--args", '{"reason": "no"}', "--mode", mode)
    assert failed.returncode == 1
    assert "fail" in failed.stderr


def test_our_client_calls_a_python_server_over_http():
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, PEER, "--http", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port, process)
        url = f"http://127.0.0.1:{port}/mcp"
        listed = micro("tools", url)
        assert listed.returncode == 0, listed.stderr
        assert re.search(r"^shout\b", listed.stdout, re.M)
        called = micro("call", url, "shout", "--args", '{"text": "hi"}', "--json")
        assert called.returncode == 0, called.stderr
        assert json.loads(called.stdout)["content"][0]["text"] == "HI"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_our_client_against_our_server_over_http(micro_http):
    called = micro("call", micro_http, "weather_forecast", "--args", json.dumps(WEATHER), "--json")
    assert called.returncode == 0, called.stderr
    assert json.loads(called.stdout)["structuredContent"]["city"] == "Lisbon"
