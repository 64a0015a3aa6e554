/// Readable paths into JSON values, `$.passengers[1].name`, built only when a message needs one.
enum SchemaPath {
    enum Component {
        case key(String)
        case index(Int)
    }

    /// `.name` for identifier-like names, `["odd name"]` otherwise.
    static func member(_ name: String) -> String {
        guard let first = name.unicodeScalars.first, isIdentifierStart(first),
            name.unicodeScalars.allSatisfy(isIdentifierPart)
        else {
            var out = "["
            SchemaJSONText.writeString(name, into: &out)
            return out + "]"
        }
        return "." + name
    }

    static func render(_ components: [Component]) -> String {
        var out = "$"
        for component in components {
            switch component {
            case .key(let name): out += member(name)
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }

    private static func isIdentifierStart(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" || c == "$"
    }

    private static func isIdentifierPart(_ c: Unicode.Scalar) -> Bool {
        isIdentifierStart(c) || (c >= "0" && c <= "9") || c == "-"
    }
}
