/// A coding key for array indices, `super` and object members with no `CodingKey` type of their own.
struct JSONCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.stringValue = String(intValue)
        self.intValue = intValue
    }

    /// The key of an array element, as Foundation's coders spell it (`Index 3`).
    init(index: Int) {
        self.stringValue = "Index \(index)"
        self.intValue = index
    }

    /// The key that `superEncoder()` and `superDecoder()` use.
    static let superKey = JSONCodingKey(stringValue: "super")
}
