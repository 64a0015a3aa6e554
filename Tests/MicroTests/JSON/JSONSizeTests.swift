import Micro
import Testing

@Suite struct JSONSizeTests {
    @Test(arguments: [
        JSONValue.null, true, false, 0, -7, 1234567890, 2.5, -0.125, "", "héllo", [], [1, [2, 3], "x"], [:],
        ["a": 1, "bb": [true, nil], "c": ["d": "e"]], ["nested": [["k": 12.75], [:], []]],
    ])
    func approximateSizeMatchesTheCanonicalTextWithoutEscapes(value: JSONValue) {
        #expect(value.approximateCanonicalByteCount == value.canonicalBytes().count)
    }

    @Test func escapesAreTheOnlyShortfall() {
        let value: JSONValue = ["q": "say \"hi\"\n"]
        #expect(value.canonicalBytes().count - value.approximateCanonicalByteCount == 3)
    }
}
