"""A LangGraph agent with its SQLite checkpointer: a black-box agent for the harness that survives being
killed (see Scenarios/README.md, "Black-box agents").

Environment: OPENAI_BASE_URL and OPENAI_API_KEY (read by the `openai` SDK), MICRO_MCP_URL (MCP Streamable
HTTP), MICRO_PROMPT (the task), MICRO_RUN_ID (the LangGraph thread), MICRO_STATE_DIR (where
checkpoints.sqlite lives across restarts), MICRO_MODEL (default gpt-4o).

The graph is `model` → `tools` → `model` … until the model answers in text. Every node's result is
checkpointed before the next node starts (durability "sync"), so a process killed at any model request or
tool call resumes from the last completed node instead of starting over: a tool whose node completed is
never called again. A tool node killed after its call ran but before it completed runs again and sends the
call again — with the model's call ID as its idempotency key (MCP `_meta`), so a service that honours keys
does it once. It prints the final answer as the last line of standard output.
"""
import json
import operator
import os
from typing import Annotated, TypedDict

import anyio
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver
from langgraph.graph import END, START, StateGraph
from mcp import Client
from openai import AsyncOpenAI


class State(TypedDict):
    messages: Annotated[list, operator.add]
    answer: str


def build(mcp, tools, model):
    async def call_model(state: State):
        completion = await model.chat.completions.create(
            model=os.environ.get("MICRO_MODEL", "gpt-4o"), messages=state["messages"], tools=tools)
        message = completion.choices[0].message
        update = {"messages": [message.model_dump(exclude_none=True)]}
        if not message.tool_calls:
            update["answer"] = message.content or ""
        return update

    async def call_tools(state: State):
        results = []
        for call in state["messages"][-1].get("tool_calls", []):
            # The model's call ID, checkpointed with the model's message, is the call's idempotency key: a tool
            # node re-run after a restart sends the same calls again, and the services do them once.
            result = await mcp.call_tool(call["function"]["name"], json.loads(call["function"]["arguments"] or "{}"),
                                         meta={"io.micro/idempotency-key": call["id"]})
            text = "\n".join(part.text for part in result.content if getattr(part, "text", None) is not None)
            results.append({"role": "tool", "tool_call_id": call["id"], "content": ("error: " + text) if result.is_error else text})
        return {"messages": results}

    def route(state: State):
        return "tools" if state["messages"][-1].get("tool_calls") else END

    graph = StateGraph(State)
    graph.add_node("model", call_model)
    graph.add_node("tools", call_tools)
    graph.add_edge(START, "model")
    graph.add_conditional_edges("model", route, ["tools", END])
    graph.add_edge("tools", "model")
    return graph


async def main():
    config = {"configurable": {"thread_id": os.environ["MICRO_RUN_ID"]}, "recursion_limit": 30}
    path = os.path.join(os.environ["MICRO_STATE_DIR"], "checkpoints.sqlite")
    async with Client(os.environ["MICRO_MCP_URL"]) as mcp, AsyncSqliteSaver.from_conn_string(path) as saver:
        listed = await mcp.list_tools()
        tools = [{"type": "function", "function": {
            "name": tool.name, "description": tool.description or "", "parameters": tool.input_schema}}
            for tool in listed.tools]
        app = build(mcp, tools, AsyncOpenAI()).compile(checkpointer=saver)
        saved = await app.aget_state(config)
        if saved.next:                        # killed mid-run: continue from the last completed node
            final = await app.ainvoke(None, config, durability="sync")
        elif saved.values.get("answer") is not None:   # already finished
            final = saved.values
        else:
            start = {"messages": [{"role": "user", "content": os.environ["MICRO_PROMPT"]}]}
            final = await app.ainvoke(start, config, durability="sync")
        print(final["answer"])


if __name__ == "__main__":
    anyio.run(main)
