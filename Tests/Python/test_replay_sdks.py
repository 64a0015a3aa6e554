"""The official Python SDKs (openai, anthropic, google-genai, ollama) against `micro replay serve`, on the
bundled documented-example cassettes.

Each test starts `micro replay serve --cassette Recordings/<provider>-<case>.json --match path --port 0`,
reads the bound port from its first line, points the SDK at it by base URL with a dummy key and checks that
the SDK parses the streamed tool call, the text answer, or raises its rate-limit error (retries disabled).

The `micro` binary is $MICRO_BIN, else .build/debug/micro (build it first: `swift build --product micro`).
"""

import contextlib
import json
import os
import re
import subprocess
import threading
from pathlib import Path

import anthropic
import ollama
import openai
import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types as genai_types

ROOT = Path(__file__).resolve().parents[2]
RECORDINGS = ROOT / "Recordings"
MICRO = Path(os.environ.get("MICRO_BIN", ROOT / ".build" / "debug" / "micro"))
KEY = "dummy-key-for-replay"
TOOL = "weather_forecast"

# The SDKs warn about model names they consider old; the names only label the recorded requests here.
pytestmark = pytest.mark.filterwarnings("ignore:The model .* is deprecated:DeprecationWarning")

# Loopback must never go through a proxy from the environment.
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


@contextlib.contextmanager
def replay(cassette: str):
    """Serves Recordings/<cassette> on a free loopback port; yields its base URL."""
    path = RECORDINGS / cassette
    assert MICRO.exists(), f"build micro first: {MICRO} is missing"
    assert path.exists(), f"missing cassette {path}"
    process = subprocess.Popen(
        [str(MICRO), "replay", "serve", "--cassette", str(path), "--match", "path", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout=30)
        match = re.search(r"serving .* on http://127\.0\.0\.1:(\d+)", line[0] if line else "")
        assert match, f"micro replay serve did not start: {line!r} {process.poll()}"
        yield f"http://127.0.0.1:{match.group(1)}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


WEATHER_TOOL = {
    "name": TOOL,
    "description": "Daily forecast for a city.",
    "input_schema": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
}
MESSAGES = [{"role": "user", "content": "What is the weather in Paris?"}]


# MARK: OpenAI


def openai_client(base: str) -> openai.OpenAI:
    return openai.OpenAI(api_key=KEY, base_url=f"{base}/v1", max_retries=0)


def test_openai_streamed_tool_call():
    with replay("openai-tool-call.json") as base:
        stream = openai_client(base).chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True)
        calls: dict[int, dict] = {}
        finish = None
        for chunk in stream:
            for choice in chunk.choices:
                finish = choice.finish_reason or finish
                for delta in choice.delta.tool_calls or []:
                    call = calls.setdefault(delta.index, {"name": "", "arguments": ""})
                    if delta.function.name:
                        call["name"] += delta.function.name
                    call["arguments"] += delta.function.arguments or ""
    assert finish == "tool_calls"
    assert [c["name"] for c in calls.values()] == [TOOL, TOOL]
    assert [json.loads(c["arguments"]) for c in calls.values()] == [{"location": "Paris, France"}, {"location": "Rome"}]


def test_openai_streamed_answer():
    with replay("openai-answer.json") as base:
        stream = openai_client(base).chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True)
        text = "".join(choice.delta.content or "" for chunk in stream for choice in chunk.choices)
    assert text == "Hello there!"


def test_openai_rate_limit():
    with replay("openai-rate-limit.json") as base:
        with pytest.raises(openai.RateLimitError) as raised:
            openai_client(base).chat.completions.create(model="gpt-4o", messages=MESSAGES, stream=True)
    assert raised.value.status_code == 429
    assert raised.value.response.headers.get("retry-after") == "7"


# MARK: Anthropic


def anthropic_client(base: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=KEY, base_url=base, max_retries=0)


def test_anthropic_streamed_tool_call():
    with replay("anthropic-tool-call.json") as base:
        with anthropic_client(base).messages.stream(
            model="claude-sonnet-4-5", max_tokens=256, messages=MESSAGES, tools=[WEATHER_TOOL]
        ) as stream:
            message = stream.get_final_message()
    tool_uses = [block for block in message.content if block.type == "tool_use"]
    assert message.stop_reason == "tool_use"
    assert [(block.name, block.input) for block in tool_uses] == [
        (TOOL, {"location": "San Francisco, CA", "unit": "fahrenheit"})
    ]


def test_anthropic_streamed_answer():
    with replay("anthropic-answer.json") as base:
        with anthropic_client(base).messages.stream(model="claude-sonnet-4-5", max_tokens=256, messages=MESSAGES) as stream:
            text = "".join(stream.text_stream)
            message = stream.get_final_message()
    assert text == "Hello!"
    assert message.stop_reason == "end_turn"


def test_anthropic_rate_limit():
    with replay("anthropic-rate-limit.json") as base:
        with pytest.raises(anthropic.RateLimitError) as raised:
            anthropic_client(base).messages.create(
                model="claude-sonnet-4-5", max_tokens=256, messages=MESSAGES, stream=True)
    assert raised.value.status_code == 429
    assert raised.value.body["error"]["type"] == "rate_limit_error"


# MARK: Gemini (google-genai)


def genai_client(base: str) -> genai.Client:
    return genai.Client(
        api_key=KEY,
        http_options=genai_types.HttpOptions(
            base_url=base, api_version="v1beta", retry_options=genai_types.HttpRetryOptions(attempts=1)))


def test_gemini_streamed_tool_call():
    with replay("gemini-tool-call.json") as base:
        client = genai_client(base)  # kept alive while streaming: a collected client closes its connection
        chunks = list(client.models.generate_content_stream(
            model="gemini-2.5-flash", contents="What is the weather in Paris?"))
    calls = [call for chunk in chunks for call in (chunk.function_calls or [])]
    assert [(call.name, call.args) for call in calls] == [(TOOL, {"location": "Paris"}), (TOOL, {"location": "Rome"})]


def test_gemini_streamed_answer():
    with replay("gemini-answer.json") as base:
        client = genai_client(base)
        chunks = list(client.models.generate_content_stream(
            model="gemini-2.5-flash", contents="Say hello."))
    assert "".join(chunk.text or "" for chunk in chunks) == "Hello there!"


def test_gemini_rate_limit():
    with replay("gemini-rate-limit.json") as base:
        client = genai_client(base)
        with pytest.raises(genai_errors.ClientError) as raised:
            list(client.models.generate_content_stream(model="gemini-2.5-flash", contents="Hi"))
    assert raised.value.code == 429
    assert raised.value.status == "RESOURCE_EXHAUSTED"


# MARK: Ollama (native /api/chat, NDJSON)

WEATHER_FUNCTION = {
    "type": "function",
    "function": {
        "name": TOOL,
        "description": "Daily forecast for a city.",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
    },
}


def ollama_client(base: str) -> ollama.Client:
    return ollama.Client(host=base)


def test_ollama_streamed_tool_call():
    with replay("ollama-tool-call.json") as base:
        chunks = list(ollama_client(base).chat(model="llama3.1", messages=MESSAGES, tools=[WEATHER_FUNCTION], stream=True))
    calls = [call for chunk in chunks for call in (chunk.message.tool_calls or [])]
    assert [(call.function.name, dict(call.function.arguments)) for call in calls] == [(TOOL, {"location": "Paris"})]
    assert chunks[-1].done and chunks[-1].done_reason == "stop"


def test_ollama_streamed_answer():
    with replay("ollama-answer.json") as base:
        chunks = list(ollama_client(base).chat(model="llama3.1", messages=MESSAGES, stream=True))
    assert "".join(chunk.message.content or "" for chunk in chunks) == "The sky"
    assert chunks[-1].done and chunks[-1].eval_count == 282


def test_ollama_rate_limit():
    with replay("ollama-rate-limit.json") as base:
        with pytest.raises(ollama.ResponseError) as raised:
            list(ollama_client(base).chat(model="llama3.1", messages=MESSAGES, stream=True))
    assert raised.value.status_code == 429
    assert raised.value.error == "too many requests"
