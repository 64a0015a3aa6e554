import Micro
import Testing

@Suite struct JSONRPCMessageTests {
    @Test func readsRequestsNotificationsAndResponses() throws {
        #expect(
            try JSONRPCMessage(parsing: Array(#"{"jsonrpc":"2.0","id":7,"method":"tools/list","params":{}}"#.utf8))
                == .request(id: .integer(7), method: "tools/list", params: [:]))
        #expect(
            try JSONRPCMessage(parsing: Array(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#.utf8))
                == .notification(method: "notifications/initialized", params: nil))
        #expect(
            try JSONRPCMessage(parsing: Array(#"{"jsonrpc":"2.0","id":"a","result":{"ok":true}}"#.utf8))
                == .result(["ok": true], id: .string("a")))
        #expect(
            try JSONRPCMessage(parsing: Array(#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad"}}"#.utf8))
                == .error(JSONRPCError(code: -32700, message: "bad"), id: nil))
    }

    @Test(arguments: [
        ("{", -32700, "invalid JSON"),
        ("[1]", -32600, "must be an object"),
        (#"{"id":1,"method":"x"}"#, -32600, "jsonrpc must be"),
        (#"{"jsonrpc":"2.0","id":1,"method":3}"#, -32600, "method must be a string"),
        (#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#, -32600, "id must be a string or an integer"),
        (#"{"jsonrpc":"2.0","id":1,"method":"x","params":"p"}"#, -32600, "params must be an object or an array"),
        (#"{"jsonrpc":"2.0"}"#, -32600, "needs a method"),
        (#"{"jsonrpc":"2.0","id":1}"#, -32600, "exactly one of result and error"),
        (#"{"jsonrpc":"2.0","id":1,"error":{"code":"x"}}"#, -32600, "integer code"),
    ])
    func rejectsBadInputWithTheStandardCode(text: String, code: Int, fragment: String) {
        #expect {
            try JSONRPCMessage(parsing: Array(text.utf8))
        } throws: { error in
            guard let error = error as? JSONRPCError else { return false }
            return error.code == code && error.message.contains(fragment)
        }
    }

    @Test func writesCanonicalJSON() {
        let response = JSONRPCMessage.error(.methodNotFound("nope"), id: .integer(3))
        #expect(
            response.json.canonicalString()
                == #"{"error":{"code":-32601,"message":"method not found: nope"},"id":3,"jsonrpc":"2.0"}"#)
        #expect(
            JSONRPCMessage.request(id: .string("r1"), method: "ping", params: nil).json.canonicalString()
                == #"{"id":"r1","jsonrpc":"2.0","method":"ping"}"#)
    }
}
