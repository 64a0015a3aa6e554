"""One model call through a provider's official Python SDK, against the endpoint the harness serves: proves
the scripted turns the world renders as that provider's wire bytes parse in the SDK itself.

Usage: sdk_first_call.py anthropic|gemini|ollama. It offers one tool (notifier_send), streams the answer
where the SDK streams (Anthropic, Gemini) and prints what the SDK parsed, as its last line:
`notifier_send {"to": "ada"}` for a tool call, else the text.
"""
import json
import os
import sys

PROMPT = os.environ["MICRO_PROMPT"]
TOOL = {"name": "notifier_send", "description": "Email a customer.",
        "parameters": {"type": "object", "properties": {"to": {"type": "string"}}, "required": ["to"]}}


def anthropic_call():
    import anthropic
    client = anthropic.Anthropic()  # ANTHROPIC_BASE_URL, ANTHROPIC_API_KEY from the environment
    tool = {"name": TOOL["name"], "description": TOOL["description"], "input_schema": TOOL["parameters"]}
    with client.messages.stream(model="claude-sonnet-4-5", max_tokens=256, tools=[tool],
                                messages=[{"role": "user", "content": PROMPT}]) as stream:
        message = stream.get_final_message()
    for block in message.content:
        if block.type == "tool_use":
            return f"{block.name} {json.dumps(block.input, sort_keys=True)}"
    return "".join(block.text for block in message.content if block.type == "text")


def gemini_call():
    from google import genai
    from google.genai import types
    client = genai.Client(api_key=os.environ["GEMINI_API_KEY"],
                          http_options=types.HttpOptions(base_url=os.environ["GOOGLE_GEMINI_BASE_URL"]))
    config = types.GenerateContentConfig(
        tools=[types.Tool(function_declarations=[types.FunctionDeclaration(**TOOL)])],
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True))
    text = ""
    for chunk in client.models.generate_content_stream(model="gemini-2.5-flash", contents=PROMPT, config=config):
        for call in chunk.function_calls or []:
            return f"{call.name} {json.dumps(dict(call.args), sort_keys=True)}"
        text += chunk.text or ""
    return text


def ollama_call():
    import ollama
    client = ollama.Client(host=os.environ["OLLAMA_HOST"])
    response = client.chat(model="llama3.1", messages=[{"role": "user", "content": PROMPT}],
                           tools=[{"type": "function", "function": TOOL}], stream=False)
    for call in response.message.tool_calls or []:
        return f"{call.function.name} {json.dumps(dict(call.function.arguments), sort_keys=True)}"
    return response.message.content


if __name__ == "__main__":
    print({"anthropic": anthropic_call, "gemini": gemini_call, "ollama": ollama_call}[sys.argv[1]]())
