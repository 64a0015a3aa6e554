"""A black-box agent behind an A2A endpoint, with no dependencies (Python's standard library only), for the
harness's own tests.

It serves A2A 1.0 over JSON-RPC on 127.0.0.1:$MICRO_A2A_PORT (the card at /.well-known/agent-card.json;
SendMessage, GetTask) and answers each task with stdlib_loop's tool loop (OpenAI wire at $OPENAI_BASE_URL,
tools over MCP at $MICRO_MCP_URL). With AGENT_ASK=1 a new task first asks who to notify (input-required) and
the answer is added to the prompt. Tasks live in memory only: a restarted server has forgotten them.
"""
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stdlib_loop import run_loop  # noqa: E402

PORT = int(os.environ["MICRO_A2A_PORT"])
URL = f"http://127.0.0.1:{PORT}/"
CARD = {
    "name": "stdlib-a2a", "description": "Runs a tool loop per task.", "version": "1.0.0",
    "supportedInterfaces": [{"url": URL, "protocolBinding": "JSONRPC", "protocolVersion": "1.0"}],
    "capabilities": {"streaming": False}, "defaultInputModes": ["text/plain"], "defaultOutputModes": ["text/plain"],
    "skills": [{"id": "loop", "name": "loop", "description": "tool loop", "tags": ["loop"]}],
}
tasks = {}
lock = threading.Lock()


def text_of(message):
    return " ".join(part.get("text", "") for part in message.get("parts", []))


def task(task_id, state, text=None, artifact=None):
    value = {"id": task_id, "contextId": "ctx-" + task_id, "status": {"state": "TASK_STATE_" + state}}
    if text is not None:
        value["status"]["message"] = {"messageId": task_id + "-status", "role": "ROLE_AGENT", "parts": [{"text": text}]}
    if artifact is not None:
        value["artifacts"] = [{"artifactId": "answer", "parts": [{"text": artifact}]}]
    return value


def send(params):
    message = params["message"]
    with lock:
        known = tasks.get(message.get("taskId", ""))
    if known is not None and known["task"]["status"]["state"] == "TASK_STATE_INPUT_REQUIRED":
        answer = run_loop(known["prompt"] + " " + text_of(message))
        done = task(known["task"]["id"], "COMPLETED", artifact=answer)
    elif os.environ.get("AGENT_ASK") == "1":
        done = task("task-" + message["messageId"], "INPUT_REQUIRED", text="Who should be notified?")
    else:
        done = task("task-" + message["messageId"], "COMPLETED", artifact=run_loop(text_of(message)))
    with lock:
        prompt = known["prompt"] if known else text_of(message)
        tasks[done["id"]] = {"task": done, "prompt": prompt}
    return {"task": done}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *arguments):
        pass

    def reply(self, status, value):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/.well-known/agent-card.json":
            self.reply(200, CARD)
        else:
            self.reply(404, {"error": "not found"})

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers["content-length"])))
        method, params = request.get("method"), request.get("params", {})
        if method == "SendMessage":
            result = send(params)
        elif method == "GetTask" and params.get("id") in tasks:
            result = tasks[params["id"]]["task"]
        else:
            self.reply(200, {"jsonrpc": "2.0", "id": request.get("id"), "error": {"code": -32001, "message": "task not found"}})
            return
        self.reply(200, {"jsonrpc": "2.0", "id": request.get("id"), "result": result})


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
