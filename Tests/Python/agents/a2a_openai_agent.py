"""The openai-SDK tool loop (openai_mcp_loop.py) served as an A2A agent with the official a2a-sdk server: a
black-box agent the harness talks to over A2A (see Scenarios/README.md, "Black-box agents").

Environment: MICRO_A2A_PORT (where to serve: the card at /.well-known/agent-card.json, A2A 1.0 JSON-RPC at /),
plus what the loop reads (OPENAI_BASE_URL, OPENAI_API_KEY, MICRO_MCP_URL). Each message starts a task whose
answer is the loop's final text, as an artifact. Tasks live in the SDK's in-memory store: a restarted server
has forgotten them and starts a resent message over.
"""
import os
import sys

import uvicorn
from starlette.applications import Starlette

from a2a.helpers import new_task_from_user_message, new_text_part
from a2a.server.agent_execution import AgentExecutor, RequestContext
from a2a.server.events import EventQueue
from a2a.server.request_handlers import DefaultRequestHandler
from a2a.server.routes import create_agent_card_routes, create_jsonrpc_routes
from a2a.server.tasks import InMemoryTaskStore, TaskUpdater
from a2a.types.a2a_pb2 import AgentCapabilities, AgentCard, AgentInterface, AgentSkill

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from openai_mcp_loop import run_loop  # noqa: E402


class LoopExecutor(AgentExecutor):
    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        task = context.current_task
        if task is None:
            task = new_task_from_user_message(context.message)
            await event_queue.enqueue_event(task)
        updater = TaskUpdater(event_queue, task.id, task.context_id)
        await updater.start_work()
        answer = await run_loop(context.get_user_input())
        await updater.add_artifact([new_text_part(answer)], name="answer")
        await updater.complete()

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        await TaskUpdater(event_queue, context.task_id, context.context_id).cancel()


def main() -> None:
    port = int(os.environ["MICRO_A2A_PORT"])
    url = f"http://127.0.0.1:{port}/"
    card = AgentCard(
        name="openai-loop-a2a",
        description="An openai-SDK tool loop over MCP, served with the a2a-sdk.",
        version="1.0.0",
        supported_interfaces=[AgentInterface(url=url, protocol_binding="JSONRPC", protocol_version="1.0")],
        capabilities=AgentCapabilities(streaming=False),
        default_input_modes=["text/plain"],
        default_output_modes=["text/plain"],
        skills=[AgentSkill(id="support", name="support", description="Looks orders up and notifies customers", tags=["support"])],
    )
    handler = DefaultRequestHandler(agent_executor=LoopExecutor(), task_store=InMemoryTaskStore(), agent_card=card)
    app = Starlette(routes=create_agent_card_routes(card) + create_jsonrpc_routes(handler, rpc_url="/"))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
