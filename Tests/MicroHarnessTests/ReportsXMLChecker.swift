import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses a document with Foundation's XMLParser and keeps what the report tests look at.
final class ReportsXMLChecker: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text = ""
    }

    private(set) var elements: [Element] = []
    private var open: [Int] = []
    private(set) var error: String?

    /// Parses `text`; nil when it is not well-formed XML.
    static func parse(_ text: String) -> ReportsXMLChecker? {
        let checker = ReportsXMLChecker()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = checker
        return parser.parse() ? checker : nil
    }

    /// Why `text` is not well-formed, for test messages.
    static func problem(_ text: String) -> String {
        let checker = ReportsXMLChecker()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = checker
        if parser.parse() { return "well-formed" }
        return "line \(parser.lineNumber) column \(parser.columnNumber): \(String(describing: parser.parserError))"
    }

    func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        elements.append(Element(name: elementName, attributes: attributes))
        open.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        _ = open.popLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        for index in open { elements[index].text += string }
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        let string = String(decoding: CDATABlock, as: UTF8.self)
        for index in open { elements[index].text += string }
    }
}
