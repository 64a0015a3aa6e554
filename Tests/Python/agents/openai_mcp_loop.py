"""A plain tool loop written with the official `openai` SDK and the official `mcp` client: a black-box agent
for the harness (see Scenarios/README.md, "Black-box agents").

Environment: OPENAI_BASE_URL and OPENAI_API_KEY (read by the SDK), MICRO_MCP_URL (MCP Streamable HTTP),
MICRO_PROMPT (the task), MICRO_MODEL (default gpt-4o). It lists the MCP tools, offers them to the model,
runs each tool call through MCP and feeds the results back until the model answers in text, which it
prints as the last line of standard output. It keeps no checkpoints: restarted, it starts over — and so
repeats the side effects it already caused, which `micro chaos` is expected to catch.
"""
import json
import os
import sys

import anyio
from mcp import Client
from openai import OpenAI

MAX_STEPS = 12


def openai_tools(listed):
    return [
        {"type": "function", "function": {
            "name": tool.name, "description": tool.description or "", "parameters": tool.input_schema}}
        for tool in listed.tools
    ]


def tool_text(result):
    text = "\n".join(part.text for part in result.content if getattr(part, "text", None) is not None)
    return ("error: " + text) if result.is_error else text


async def run_loop(prompt):
    """The model's final text, after running through MCP every tool call it makes."""
    model = OpenAI()
    async with Client(os.environ["MICRO_MCP_URL"]) as mcp:
        tools = openai_tools(await mcp.list_tools())
        messages = [{"role": "user", "content": prompt}]
        for _ in range(MAX_STEPS):
            completion = model.chat.completions.create(
                model=os.environ.get("MICRO_MODEL", "gpt-4o"), messages=messages, tools=tools,
                stream=False)
            message = completion.choices[0].message
            messages.append(message.model_dump(exclude_none=True))
            if not message.tool_calls:
                return message.content or ""
            for call in message.tool_calls:
                result = await mcp.call_tool(call.function.name, json.loads(call.function.arguments or "{}"))
                messages.append({"role": "tool", "tool_call_id": call.id, "content": tool_text(result)})
    raise RuntimeError(f"no answer after {MAX_STEPS} steps")


async def main():
    try:
        print(await run_loop(os.environ["MICRO_PROMPT"]))
    except RuntimeError as error:
        print(error, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    anyio.run(main)
