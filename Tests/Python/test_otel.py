"""Our OTLP/JSON spans read by the official OpenTelemetry protobuf definitions (`opentelemetry-proto`): `micro test
--otlp-endpoint` posts to a loopback receiver written here, and every body must parse strictly into an
`ExportTraceServiceRequest` and come back out unchanged (no unknown, misnamed or mistyped field), with valid ids,
parents inside the trace, GenAI span names and attributes, token usage and ordered times.

Needs MICRO_BIN (the built `micro`) and the `opentelemetry-proto` and `protobuf` packages."""

import base64
import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

MICRO = os.environ.get("MICRO_BIN", "micro")
ROOT = Path(__file__).resolve().parents[2]
ID_FIELDS = ("traceId", "spanId", "parentSpanId")


class Receiver(BaseHTTPRequestHandler):
    bodies: list = []

    def do_POST(self):  # noqa: N802 (the http.server spelling)
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self.path != "/v1/traces" or self.headers.get("Content-Type") != "application/json":
            self.send_response(404)
            self.end_headers()
            return
        Receiver.bodies.append(json.loads(body))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def exported():
    """The bodies `micro test` posted for three scenarios: a delegation tree, a crash and resume, retried errors."""
    Receiver.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        for scenario in ("travel-delegation-tree", "crash-resume", "rate-limit-retries"):
            run = subprocess.run(
                [MICRO, "test", str(ROOT / "Scenarios" / f"{scenario}.yaml"), "--jobs", "1",
                 "--otlp-endpoint", f"http://127.0.0.1:{server.server_port}"],
                capture_output=True, text=True, timeout=300)
            assert run.returncode == 0, run.stdout + run.stderr
    finally:
        server.shutdown()
    assert len(Receiver.bodies) == 3
    return Receiver.bodies


def hex_ids_to_base64(value):
    """OTLP/JSON writes ids as hex; the protobuf JSON mapping reads bytes as base64 (receivers convert, so do we)."""
    if isinstance(value, dict):
        return {k: (base64.b64encode(bytes.fromhex(v)).decode() if k in ID_FIELDS else hex_ids_to_base64(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [hex_ids_to_base64(v) for v in value]
    return value


def base64_ids_to_hex(value):
    if isinstance(value, dict):
        return {k: (base64.b64decode(v).hex() if k in ID_FIELDS else base64_ids_to_hex(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [base64_ids_to_hex(v) for v in value]
    return value


def without_empty(value):
    """Protobuf leaves empty repeated fields out when it writes JSON (values in a oneof stay, even 0 or false)."""
    if isinstance(value, dict):
        return {k: without_empty(v) for k, v in value.items() if not (isinstance(v, (list, dict)) and not v)}
    if isinstance(value, list):
        return [without_empty(v) for v in value]
    return value


def parse(body) -> ExportTraceServiceRequest:
    return json_format.Parse(json.dumps(hex_ids_to_base64(body)), ExportTraceServiceRequest(), ignore_unknown_fields=False)


def spans_of(request: ExportTraceServiceRequest):
    return [span for resource in request.resource_spans for scope in resource.scope_spans for span in scope.spans]


def attributes(holder) -> dict:
    out = {}
    for kv in holder.attributes:
        kind = kv.value.WhichOneof("value")
        value = getattr(kv.value, kind)
        out[kv.key] = [v.string_value for v in value.values] if kind == "array_value" else value
    return out


def test_every_body_parses_strictly_and_round_trips_unchanged(exported):
    for body in exported:
        request = parse(body)
        again = json_format.MessageToDict(request, use_integers_for_enums=True)
        assert base64_ids_to_hex(again) == without_empty(body)


def test_ids_parents_kinds_and_times_are_valid(exported):
    for body in exported:
        spans = spans_of(parse(body))
        assert spans
        ids = {span.span_id for span in spans}
        assert len(ids) == len(spans), "span ids repeat"
        assert len({span.trace_id for span in spans}) == 1, "one trace per scenario run"
        roots = [span for span in spans if not span.parent_span_id]
        assert len(roots) == 1 and roots[0].name.startswith("invoke_workflow ")
        for span in spans:
            assert len(span.trace_id) == 16 and any(span.trace_id)
            assert len(span.span_id) == 8 and any(span.span_id)
            assert not span.parent_span_id or span.parent_span_id in ids
            assert span.kind in (Span.SPAN_KIND_INTERNAL, Span.SPAN_KIND_CLIENT)
            assert 1_700_000_000_000_000_000 < span.start_time_unix_nano <= span.end_time_unix_nano
            assert len({kv.key for kv in span.attributes}) == len(span.attributes), f"repeated key in {span.name}"
            for event in span.events:
                assert span.start_time_unix_nano <= event.time_unix_nano <= span.end_time_unix_nano
                assert len({kv.key for kv in event.attributes}) == len(event.attributes), f"repeated key in {event.name}"


def test_genai_spans_carry_their_conventions(exported):
    spans = spans_of(parse(exported[0]))
    by_id = {span.span_id: span for span in spans}
    booker = next(span for span in spans if span.name == "invoke_agent booker")
    delegate = by_id[booker.parent_span_id]
    assert delegate.name == "execute_tool delegate"
    assert by_id[delegate.parent_span_id].name == "invoke_agent coordinator"
    chats = [span for span in spans if span.name.startswith("chat ")]
    assert len(chats) == 7
    for chat in chats:
        a = attributes(chat)
        assert chat.kind == Span.SPAN_KIND_CLIENT
        assert a["gen_ai.operation.name"] == "chat" and a["gen_ai.provider.name"] == "scripted"
        assert a["gen_ai.usage.input_tokens"] > 0 and a["gen_ai.usage.output_tokens"] > 0
        assert a["gen_ai.response.finish_reasons"] in (["tool_use"], ["end_turn"])
    tools = [span for span in spans if span.name.startswith("execute_tool ")]
    for tool in tools:
        a = attributes(tool)
        assert a["gen_ai.operation.name"] == "execute_tool" and tool.name == "execute_tool " + a["gen_ai.tool.name"]
        assert a["gen_ai.tool.call.id"] and "gen_ai.tool.call.arguments" not in a
    coordinator = next(span for span in spans if span.name == "invoke_agent coordinator")
    own = sum(attributes(c)["gen_ai.usage.input_tokens"] for c in chats if c.parent_span_id == coordinator.span_id)
    assert attributes(coordinator)["gen_ai.usage.input_tokens"] == own


def test_crashes_resumes_and_errors_are_events_and_statuses(exported):
    crash = spans_of(parse(exported[1]))
    agent = next(span for span in crash if span.name.startswith("invoke_agent "))
    names = [event.name for event in agent.events]
    assert names.index("micro.crashed") < names.index("micro.resumed")
    assert attributes(next(s for s in crash if not s.parent_span_id))["micro.crashes"] == 1
    retries = spans_of(parse(exported[2]))
    failed = [span for span in retries if span.name.startswith("chat ") and span.status.code == Status.STATUS_CODE_ERROR]
    assert [attributes(span)["error.type"] for span in failed] == ["rate_limited", "overloaded"]
    assert [attributes(span)["http.response.status_code"] for span in failed] == [429, 529]
