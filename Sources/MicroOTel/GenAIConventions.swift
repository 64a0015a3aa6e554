/// The names the OpenTelemetry GenAI semantic conventions give to operations and attributes, as spelled in
/// swift-otel-semantic-conventions 1.44.0 (`OTelAttribute+genAi.swift`, where they are marked as moved to the
/// separate semantic-conventions-genai repository, names unchanged) and the agent-spans document of that
/// repository. Development status: names may still change upstream; they are kept here in one place.
public enum GenAIConventions {
    /// `gen_ai.operation.name` values.
    public enum Operation {
        public static let chat = "chat"
        public static let invokeAgent = "invoke_agent"
        public static let executeTool = "execute_tool"
        public static let invokeWorkflow = "invoke_workflow"
    }

    public static let operationName = "gen_ai.operation.name"
    /// Replaces the deprecated `gen_ai.system` (see ``providerName(for:)``).
    public static let providerName = "gen_ai.provider.name"
    public static let requestModel = "gen_ai.request.model"
    public static let responseFinishReasons = "gen_ai.response.finish_reasons"
    public static let usageInputTokens = "gen_ai.usage.input_tokens"
    public static let usageOutputTokens = "gen_ai.usage.output_tokens"
    public static let agentName = "gen_ai.agent.name"
    public static let agentDescription = "gen_ai.agent.description"
    public static let conversationID = "gen_ai.conversation.id"
    public static let workflowName = "gen_ai.workflow.name"
    public static let toolName = "gen_ai.tool.name"
    public static let toolCallID = "gen_ai.tool.call.id"
    public static let toolType = "gen_ai.tool.type"
    /// Opt-in (content): the call's arguments, as a JSON string.
    public static let toolCallArguments = "gen_ai.tool.call.arguments"
    /// Opt-in (content): the call's result, as a JSON string.
    public static let toolCallResult = "gen_ai.tool.call.result"
    /// Opt-in (content): the model's answer in the conventions' output-messages schema, as a JSON string.
    public static let outputMessages = "gen_ai.output.messages"
    /// Opt-in (content): the system instructions, as a JSON string.
    public static let systemInstructions = "gen_ai.system_instructions"
    /// Stable (`error.*`): the class of error an operation ended with.
    public static let errorType = "error.type"
    /// Stable (`http.*`): the HTTP status of a failed provider call.
    public static let httpResponseStatusCode = "http.response.status_code"

    /// The well-known `gen_ai.provider.name` value for one of Micro's provider names (`gemini` is
    /// `gcp.gemini`, `mistral` is `mistral_ai`); any other name (`scripted`, `ollama`, `together`) is used as
    /// it is, as the conventions allow for custom providers.
    public static func providerName(for provider: String) -> String {
        switch provider {
        case "gemini": "gcp.gemini"
        case "mistral": "mistral_ai"
        case "xai": "x_ai"
        default: provider
        }
    }
}
