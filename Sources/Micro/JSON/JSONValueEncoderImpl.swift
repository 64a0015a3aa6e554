#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `Encoder` behind ``JSONValueEncoder``.
///
/// One instance serves a whole encode. Containers under construction live in `slots`, a stack: a value being
/// encoded owns a root slot (its level), and nested containers get slots of their own that are folded into
/// their parent slot when the level finishes. Containers are small structs holding a slot index, so no object
/// is allocated per container beyond what `KeyedEncodingContainer` itself boxes.
final class JSONValueEncoderImpl: Encoder, SingleValueEncodingContainer {
    struct Slot {
        enum Kind { case pending, value, object, array, superEncoder }
        var kind: Kind
        var value: JSONValue = .null
        /// Object members in encoding order; a later duplicate key wins when the object is built.
        var members: [(key: String, value: JSONValue)] = []
        var array: [JSONValue] = []
        var superEncoder: JSONValueEncoderImpl?
        /// Tells a live slot from a later one at the same index.
        let id: Int
        /// The slot of the container this one belongs to, or -1.
        let parent: Int
        /// The key or index under `parent`; nil only for the top level.
        let component: JSONCodingPathComponent?
        /// Nested containers and super encoders are folded into `parent` when their level finishes;
        /// level roots are returned to whoever encoded the value.
        let folds: Bool
    }

    private(set) var slots: [Slot] = []
    private var current = 0
    private var nextID = 0
    private let basePath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    init(codingPath: [any CodingKey], userInfo: [CodingUserInfoKey: Any]) {
        self.basePath = codingPath
        self.userInfo = userInfo
        slots.reserveCapacity(8)
    }

    var codingPath: [any CodingKey] { codingPath(of: current) }

    func codingPath(of slot: Int) -> [any CodingKey] {
        var keys: [any CodingKey] = []
        var i = slot
        while i >= 0, i < slots.count {
            if let component = slots[i].component { keys.append(component.codingKey) }
            i = slots[i].parent
        }
        return basePath + keys.reversed()
    }

    func codingPath(of slot: Int, appending component: JSONCodingPathComponent) -> [any CodingKey] {
        codingPath(of: slot) + [component.codingKey]
    }

    // MARK: Slots

    @discardableResult
    func pushSlot(
        _ kind: Slot.Kind, parent: Int, component: JSONCodingPathComponent?, folds: Bool,
        superEncoder: JSONValueEncoderImpl? = nil
    ) -> (index: Int, id: Int) {
        nextID &+= 1
        slots.append(
            Slot(kind: kind, superEncoder: superEncoder, id: nextID, parent: parent, component: component, folds: folds)
        )
        return (slots.count - 1, nextID)
    }

    /// Traps when a container is used after the value it belongs to finished encoding.
    @inline(__always)
    func checkLive(_ slot: Int, _ id: Int) {
        precondition(slot < slots.count && slots[slot].id == id, "Encoding container used after its value was encoded")
    }

    func setMember(_ value: JSONValue, forKey key: String, in slot: Int) {
        slots[slot].members.append((key, value))
    }

    func appendElement(_ value: JSONValue, in slot: Int) {
        slots[slot].array.append(value)
    }

    func elementCount(in slot: Int) -> Int { slots[slot].array.count }

    /// Folds every slot above `mark` into its parent, then removes and returns the value of slot `mark`.
    private func finishLevel(at mark: Int) -> JSONValue {
        while slots.count > mark + 1 {
            let slot = slots.removeLast()
            let value = Self.value(of: slot)
            guard slot.folds, slot.parent >= 0, let component = slot.component else { continue }
            switch (slots[slot.parent].kind, component) {
            case (.object, .key(let key)): slots[slot.parent].members.append((key.stringValue, value))
            case (.array, .index(let index)): slots[slot.parent].array[index] = value
            default: break
            }
        }
        return Self.value(of: slots.removeLast())
    }

    private static func value(of slot: Slot) -> JSONValue {
        switch slot.kind {
        case .pending: .object([:])
        case .value: slot.value
        case .object: .object(Self.object(from: slot.members))
        case .array: .array(slot.array)
        case .superEncoder: slot.superEncoder?.finishSuperEncoder() ?? .object([:])
        }
    }

    private static func object(from members: [(key: String, value: JSONValue)]) -> [String: JSONValue] {
        var object = [String: JSONValue](minimumCapacity: members.count)
        for member in members { object[member.key] = member.value }
        return object
    }

    // MARK: Encoding values

    func encodeTopLevel<T: Encodable>(_ value: T) throws -> JSONValue {
        try box(value, parent: -1, component: nil)
    }

    /// The JSON value of `value`, encoded as the child `component` of `parent`.
    func box<T: Encodable>(_ value: T, parent: Int, component: JSONCodingPathComponent?) throws -> JSONValue {
        if let json = try specialValue(value, path: { pathOfChild(parent: parent, component: component) }) {
            return json
        }
        let mark = pushSlot(.pending, parent: parent, component: component, folds: false).index
        let saved = current
        current = mark
        defer { current = saved }
        do {
            try value.encode(to: self)
        } catch {
            slots.removeSubrange(mark...)
            throw error
        }
        return finishLevel(at: mark)
    }

    private func pathOfChild(parent: Int, component: JSONCodingPathComponent?) -> [any CodingKey] {
        guard let component else { return codingPath(of: parent) }
        return parent >= 0 ? codingPath(of: parent, appending: component) : basePath + [component.codingKey]
    }

    /// Values with a fixed JSON form: common primitives (a fast path), ``JSONValue``, `Date`, `URL`, `Data`,
    /// `Decimal`, and arrays and dictionaries of ``JSONValue``.
    private func specialValue<T: Encodable>(_ value: T, path: () -> [any CodingKey]) throws -> JSONValue? {
        let type = T.self
        if type == String.self { return .string(value as! String) }
        if type == Int.self { return .integer(value as! Int) }
        if type == Double.self { return try Self.number(value as! Double, path: path) }
        if type == Bool.self { return .bool(value as! Bool) }
        if type == JSONValue.self { return (value as! JSONValue) }
        if type == Date.self {
            let date = value as! Date
            guard let text = JSONDateCoding.string(from: date) else {
                throw EncodingError.invalidValue(
                    date, .init(codingPath: path(), debugDescription: "Date \(date) is outside the years 0000–9999.")
                )
            }
            return .string(text)
        }
        if type == URL.self { return .string((value as! URL).absoluteString) }
        if type == Data.self { return .string((value as! Data).base64EncodedString()) }
        if type == Decimal.self { return try Self.number(value as! Decimal, path: path) }
        if type == [String: JSONValue].self { return .object(value as! [String: JSONValue]) }
        if type == [JSONValue].self { return .array(value as! [JSONValue]) }
        return nil
    }

    static func number(_ value: Double, path: () -> [any CodingKey]) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: path(), debugDescription: "Unable to encode Double.\(value) directly in JSON.")
            )
        }
        return .number(value)
    }

    static func number(_ value: Float, path: () -> [any CodingKey]) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: path(), debugDescription: "Unable to encode Float.\(value) directly in JSON.")
            )
        }
        // Through the shortest decimal text, so that Float(0.1) is written as 0.1.
        return .number(Double(value.description) ?? Double(value))
    }

    static func number(_ value: Decimal, path: () -> [any CodingKey]) throws -> JSONValue {
        guard !value.isNaN else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: path(), debugDescription: "Unable to encode Decimal.nan directly in JSON.")
            )
        }
        let text = value.description
        if let integer = Int(text) { return .integer(integer) }
        return .number(Double(text) ?? 0)
    }

    static func integer<I: FixedWidthInteger>(_ value: I, path: () -> [any CodingKey]) throws -> JSONValue {
        guard let integer = Int(exactly: value) else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: path(), debugDescription: "\(I.self) value \(value) does not fit in Int.")
            )
        }
        return .integer(integer)
    }

    // MARK: Encoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        switch slots[current].kind {
        case .pending: slots[current].kind = .object
        case .object: break
        default: preconditionFailure("A keyed container was requested after a different kind of value was encoded")
        }
        return KeyedEncodingContainer(
            JSONValueKeyedEncodingContainer<Key>(encoder: self, slot: current, id: slots[current].id)
        )
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        switch slots[current].kind {
        case .pending: slots[current].kind = .array
        case .array: break
        default: preconditionFailure("An unkeyed container was requested after a different kind of value was encoded")
        }
        return JSONValueUnkeyedEncodingContainer(encoder: self, slot: current, id: slots[current].id)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    // MARK: SingleValueEncodingContainer

    private func setSingle(_ value: JSONValue) {
        precondition(slots[current].kind == .pending, "A single value was encoded twice, or after a container")
        slots[current].kind = .value
        slots[current].value = value
    }

    func encodeNil() throws { setSingle(.null) }
    func encode(_ value: Bool) throws { setSingle(.bool(value)) }
    func encode(_ value: String) throws { setSingle(.string(value)) }
    func encode(_ value: Double) throws { setSingle(try Self.number(value, path: { codingPath })) }
    func encode(_ value: Float) throws { setSingle(try Self.number(value, path: { codingPath })) }
    func encode(_ value: Int) throws { setSingle(.integer(value)) }
    func encode(_ value: Int8) throws { setSingle(.integer(Int(value))) }
    func encode(_ value: Int16) throws { setSingle(.integer(Int(value))) }
    func encode(_ value: Int32) throws { setSingle(.integer(Int(value))) }
    func encode(_ value: Int64) throws { setSingle(.integer(Int(value))) }
    func encode(_ value: UInt) throws { setSingle(try Self.integer(value, path: { codingPath })) }
    func encode(_ value: UInt8) throws { setSingle(.integer(Int(value))) }
    func encode(_ value: UInt16) throws { setSingle(.integer(Int(value))) }
    func encode(_ value: UInt32) throws { setSingle(.integer(Int(value))) }
    func encode(_ value: UInt64) throws { setSingle(try Self.integer(value, path: { codingPath })) }

    func encode<T: Encodable>(_ value: T) throws {
        if let json = try specialValue(value, path: { codingPath }) {
            setSingle(json)
        } else {
            // The value takes over this level, exactly as if it had been handed this encoder.
            try value.encode(to: self)
        }
    }

    /// Stores a ``JSONValue`` encoded through `encode(to:)` with this encoder.
    func encodeJSONValue(_ value: JSONValue) { setSingle(value) }

    // MARK: Super encoders

    /// A fresh encoder whose result becomes the child `component` of `slot` when that slot's level finishes.
    func makeSuperEncoder(parent slot: Int, component: JSONCodingPathComponent) -> JSONValueEncoderImpl {
        let encoder = JSONValueEncoderImpl(codingPath: codingPath(of: slot, appending: component), userInfo: userInfo)
        encoder.pushSlot(.pending, parent: -1, component: nil, folds: false)
        pushSlot(.superEncoder, parent: slot, component: component, folds: true, superEncoder: encoder)
        return encoder
    }

    private func finishSuperEncoder() -> JSONValue {
        slots.isEmpty ? .object([:]) : finishLevel(at: 0)
    }
}
