import Micro
import Testing

@Suite struct ToolNamingTests {
    @Test(arguments: [
        ("weather", "forecast", "weather_forecast"),
        ("travel.hotels", "book", "travel_hotels_book"),
        ("my-service", "get.item", "my-service_get_item"),
        ("svc_v2", "list", "svc_v2_list"),
        ("a b/c", "d:e", "a_b_c_d_e"),
    ])
    func baseNamesAreProviderSafe(service: String, endpoint: String, expected: String) throws {
        let name = ToolNaming.baseName(service: service, endpoint: endpoint)
        #expect(name == expected)
        #expect(ToolNaming.isValid(name))
        let names = try ToolNaming.assign([ToolTarget(service: service, endpoint: endpoint)])
        #expect(names[ToolTarget(service: service, endpoint: endpoint)] == expected)
    }

    @Test func collidingPairsGetDistinctStableNamesWhateverTheOrder() throws {
        let a = ToolTarget(service: "a.b", endpoint: "c")
        let b = ToolTarget(service: "a_b", endpoint: "c")
        let c = ToolTarget(service: "a", endpoint: "b_c")
        let d = ToolTarget(service: "x", endpoint: "y")
        let forward = try ToolNaming.assign([a, b, c, d])
        let backward = try ToolNaming.assign([d, c, b, a])
        #expect(forward == backward)
        #expect(Set(forward.values).count == 4)
        #expect(forward[d] == "x_y")
        for target in [a, b, c] {
            let name = try #require(forward[target])
            #expect(name.hasPrefix("a_b_c_"))
            #expect(name.count == "a_b_c_".count + 8)
            #expect(ToolNaming.isValid(name))
        }
    }

    @Test func mapsBackUnambiguouslyThroughTheTable() throws {
        let targets = [
            ToolTarget(service: "travel.hotels", endpoint: "book"),
            ToolTarget(service: "travel_hotels", endpoint: "book"),
            ToolTarget(service: "travel-hotels", endpoint: "book"),
            ToolTarget(service: "travel", endpoint: "hotels.book"),
        ]
        let names = try ToolNaming.assign(targets)
        let back = Dictionary(uniqueKeysWithValues: names.map { ($0.value, $0.key) })
        #expect(back.count == targets.count)
        for target in targets { #expect(back[names[target]!] == target) }
        #expect(names[ToolTarget(service: "travel-hotels", endpoint: "book")] == "travel-hotels_book")
    }

    @Test func longNamesAreShortenedWithAHash() throws {
        let long = ToolTarget(service: String(repeating: "service.", count: 10), endpoint: "endpoint")
        let other = ToolTarget(service: String(repeating: "service.", count: 10), endpoint: "endpoint2")
        let names = try ToolNaming.assign([long, other])
        #expect(names[long]!.utf8.count == 64)
        #expect(names[other]!.utf8.count == 64)
        #expect(names[long] != names[other])
        #expect(ToolNaming.isValid(names[long]!))
    }

    @Test(arguments: ["", "has space", "dot.ted", String(repeating: "x", count: 65), "ünicode"])
    func rejectsInvalidNames(name: String) {
        #expect(!ToolNaming.isValid(name))
    }
}
