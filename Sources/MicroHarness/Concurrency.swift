extension Array where Element: Sendable {
    /// `transform` applied to every element, at most `jobs` at a time (in a task group), the results in the
    /// array's order. `progress` is told how many are done after each one.
    public func mapConcurrently<T: Sendable>(
        jobs: Int, progress: (Int) -> Void = { _ in }, _ transform: @escaping @Sendable (_ index: Int, Element) async -> T
    ) async -> [T] {
        await withTaskGroup(of: (Int, T).self) { group in
            var results: [T?] = Array<T?>(repeating: nil, count: count)
            var next = 0, done = 0
            func start() {
                guard next < count else { return }
                let index = next, element = self[index]
                next += 1
                group.addTask { (index, await transform(index, element)) }
            }
            for _ in 0..<Swift.max(1, jobs) { start() }
            for await (index, result) in group {
                results[index] = result
                done += 1
                progress(done)
                start()
            }
            return results.compactMap { $0 }
        }
    }
}
