"""A small A2A agent written with the official a2a-sdk server, for `micro a2a` to talk to.

Usage: python a2a_agent.py PORT. It serves its card at /.well-known/agent-card.json (A2A 1.0, JSON-RPC at /,
streaming) and answers every message with "echo: <text>" as an artifact on a completed task. `serve` and
`AnswerExecutor` are shared with agents/a2a_openai_agent.py.
"""

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


class AnswerExecutor(AgentExecutor):
    """Each message starts a task whose answer, `await answer(text)`, comes back as an artifact."""

    def __init__(self, answer):
        self.answer = answer

    async def execute(self, context: RequestContext, event_queue: EventQueue) -> None:
        task = context.current_task
        if task is None:
            task = new_task_from_user_message(context.message)
            await event_queue.enqueue_event(task)
        updater = TaskUpdater(event_queue, task.id, task.context_id)
        await updater.start_work()
        await updater.add_artifact([new_text_part(await self.answer(context.get_user_input()))], name="answer")
        await updater.complete()

    async def cancel(self, context: RequestContext, event_queue: EventQueue) -> None:
        await TaskUpdater(event_queue, context.task_id, context.context_id).cancel()


def serve(executor: AgentExecutor, port: int, name: str, description: str, skill: str, streaming: bool = True) -> None:
    """Serves `executor` on 127.0.0.1:`port` (card, A2A 1.0 JSON-RPC at /, tasks in memory) until stopped."""
    url = f"http://127.0.0.1:{port}/"
    card = AgentCard(
        name=name,
        description=description,
        version="1.0.0",
        supported_interfaces=[AgentInterface(url=url, protocol_binding="JSONRPC", protocol_version="1.0")],
        capabilities=AgentCapabilities(streaming=streaming),
        default_input_modes=["text/plain"],
        default_output_modes=["text/plain"],
        skills=[AgentSkill(id=skill, name=skill, description=description, tags=[skill])],
    )
    handler = DefaultRequestHandler(agent_executor=executor, task_store=InMemoryTaskStore(), agent_card=card)
    app = Starlette(routes=create_agent_card_routes(card) + create_jsonrpc_routes(handler, rpc_url="/"))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


async def echo(text: str) -> str:
    return f"echo: {text}"


if __name__ == "__main__":
    serve(AnswerExecutor(echo), int(sys.argv[1]), "echo-agent", "Echoes what it is sent (a2a-sdk).", "echo")
