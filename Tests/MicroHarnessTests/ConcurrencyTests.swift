import MicroHarness
import Synchronization
import Testing

@Suite struct ConcurrencyTests {
    @Test(arguments: [1, 3, 64])
    func mapsAtMostJobsAtATimeInOrder(jobs: Int) async {
        let running = Mutex((now: 0, most: 0))
        var reported: [Int] = []
        let results = await Array(0..<20).mapConcurrently(jobs: jobs, progress: { reported.append($0) }) { index, value in
            running.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            await Task.yield()
            running.withLock { $0.now -= 1 }
            return "\(index):\(value * 2)"
        }
        #expect(results == (0..<20).map { "\($0):\($0 * 2)" })
        #expect(running.withLock { $0.most } <= jobs)
        #expect(reported == Array(1...20))
    }
}
