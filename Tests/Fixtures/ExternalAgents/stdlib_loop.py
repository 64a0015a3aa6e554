"""A black-box agent with no dependencies (Python's standard library only), for the harness's own tests.

It speaks OpenAI Chat Completions to $OPENAI_BASE_URL and MCP Streamable HTTP to $MICRO_MCP_URL: lists nothing,
calls the tools the model asks for, and prints the model's final text as the last line of standard output.
No checkpoints: a restart starts over. AGENT_KEYS=1 sends each tool call's ID as its idempotency key (MCP
`_meta`). AGENT_MODE changes how it misbehaves: `exit` exits 3 after the first
model call, `hang` never answers, `reword` sends a prompt the recording does not have.
"""
import json
import os
import sys
import time
import urllib.request


def post(url, body, headers=None):
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(),
        headers={"content-type": "application/json", "accept": "application/json, text/event-stream", **(headers or {})})
    with urllib.request.urlopen(request, timeout=30) as response:
        raw = response.read().decode()
        session = response.headers.get("mcp-session-id")
    if raw.startswith(("event:", "data:")):
        raw = [line[5:] for line in raw.splitlines() if line.startswith("data:")][-1]
    return (json.loads(raw) if raw.strip() else None), session


def run_loop(prompt, mode=""):
    """The tool loop: the model's final text, after running the tools it asks for through MCP."""
    mcp = os.environ["MICRO_MCP_URL"]
    _, session = post(mcp, {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "stdlib-loop", "version": "1"}}})
    headers = {"mcp-protocol-version": "2025-06-18", **({"mcp-session-id": session} if session else {})}
    post(mcp, {"jsonrpc": "2.0", "method": "notifications/initialized"}, headers)
    messages = [{"role": "user", "content": prompt + (" (reworded)" if mode == "reword" else "")}]
    for step in range(8):
        answer, _ = post(os.environ["OPENAI_BASE_URL"] + "/chat/completions", {"model": "gpt-4o", "messages": messages})
        if mode == "exit":
            print("giving up on purpose", file=sys.stderr)
            sys.exit(3)
        if mode == "hang":
            while True:
                time.sleep(1)
        message = answer["choices"][0]["message"]
        messages.append(message)
        if not message.get("tool_calls"):
            return message["content"]
        for call in message["tool_calls"]:
            params = {"name": call["function"]["name"], "arguments": json.loads(call["function"]["arguments"])}
            if os.environ.get("AGENT_KEYS") == "1":  # the model's call ID as the call's idempotency key
                params["_meta"] = {"io.micro/idempotency-key": call["id"]}
            result, _ = post(mcp, {"jsonrpc": "2.0", "id": step + 1, "method": "tools/call", "params": params}, headers)
            messages.append({"role": "tool", "tool_call_id": call["id"], "content": json.dumps(result.get("result"))})
    sys.exit(4)


def main():
    print(run_loop(os.environ["MICRO_PROMPT"], os.environ.get("AGENT_MODE", "")))


if __name__ == "__main__":
    main()
