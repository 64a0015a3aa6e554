/// One step of a coding path, stored without building a key until a path is asked for.
enum JSONCodingPathComponent {
    case key(any CodingKey)
    case index(Int)

    var codingKey: any CodingKey {
        switch self {
        case .key(let key): key
        case .index(let index): JSONCodingKey(index: index)
        }
    }
}
