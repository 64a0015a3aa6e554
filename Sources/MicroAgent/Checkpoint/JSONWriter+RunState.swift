import Micro

/// Writers for the run-state types, appending the same canonical JSON that `JSONValueEncoder` +
/// `canonicalBytes()` would produce, without building a `JSONValue` tree (checkpoint commits are a hot path).
extension JSONWriter {
    mutating func writeArray<Element>(_ elements: [Element], _ write: (inout Self, Element) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (k, element) in elements.enumerated() {
            if k > 0 { bytes.append(UInt8(ascii: ",")) }
            write(&self, element)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// An object of integers, keys in UTF-8 byte order.
    mutating func writeCounts(_ counts: [String: Int]) {
        bytes.append(UInt8(ascii: "{"))
        let sorted = counts.count < 2 ? Array(counts) : counts.sorted { JSONWriter.utf8Precedes($0.key, $1.key) }
        for (k, (key, count)) in sorted.enumerated() {
            if k > 0 { bytes.append(UInt8(ascii: ",")) }
            writeString(key)
            bytes.append(UInt8(ascii: ":"))
            writeInteger(count)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    mutating func writeMessage(_ message: Message) {
        writeRaw("{\"parts\":"); writeArray(message.parts) { w, part in
            switch part {
            case .text(let text):
                w.writeRaw("{\"text\":"); w.writeString(text); w.writeRaw(",\"type\":\"text\"}")
            case .reasoning(let reasoning):
                w.writeRaw("{\"reasoning\":"); w.writeCanonical(reasoning.jsonValue); w.writeRaw(",\"type\":\"reasoning\"}")
            case .toolCall(let call):
                w.writeRaw("{\"toolCall\":"); w.writeToolCall(call); w.writeRaw(",\"type\":\"tool_call\"}")
            case .toolResult(let result):
                w.writeRaw("{\"toolResult\":"); w.writeToolResult(result); w.writeRaw(",\"type\":\"tool_result\"}")
            }
        }
        writeRaw(",\"role\":"); writeString(message.role.rawValue)
        writeRaw("}")
    }

    mutating func writeToolCall(_ call: ToolCall) {
        writeRaw("{\"arguments\":"); writeCanonical(call.arguments)
        writeRaw(",\"id\":"); writeString(call.id)
        writeRaw(",\"name\":"); writeString(call.name)
        if let signature = call.signature {
            writeRaw(",\"signature\":"); writeString(signature)
        }
        writeRaw("}")
    }

    mutating func writeToolResult(_ result: ToolResultPart) {
        writeRaw("{\"callID\":"); writeString(result.callID)
        writeRaw(",\"content\":"); writeCanonical(result.content)
        writeRaw(result.isError ? ",\"isError\":true}" : ",\"isError\":false}")
    }
}
