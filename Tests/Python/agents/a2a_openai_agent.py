"""The openai-SDK tool loop (openai_mcp_loop.py) served as an A2A agent with the official a2a-sdk server: a
black-box agent the harness talks to over A2A (see Scenarios/README.md, "Black-box agents").

Environment: MICRO_A2A_PORT (where to serve: the card at /.well-known/agent-card.json, A2A 1.0 JSON-RPC at /),
plus what the loop reads (OPENAI_BASE_URL, OPENAI_API_KEY, MICRO_MCP_URL). Each message starts a task whose
answer is the loop's final text, as an artifact. Tasks live in the SDK's in-memory store: a restarted server
has forgotten them and starts a resent message over.
"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [here, os.path.dirname(here)]
from a2a_agent import AnswerExecutor, serve  # noqa: E402
from openai_mcp_loop import run_loop  # noqa: E402

if __name__ == "__main__":
    serve(AnswerExecutor(run_loop), int(os.environ["MICRO_A2A_PORT"]), "openai-loop-a2a",
          "An openai-SDK tool loop over MCP, served with the a2a-sdk.", "support", streaming=False)
