import Synchronization

/// A ``Broker`` within one process, for tests and embedded use.
///
/// Delivery is at-most-once into each subscriber's bounded buffer (``BrokerSubscription/Options``).
/// Every publish is delivered under one lock, so all subscribers see messages in the same global order.
/// Queue groups (same topic pattern and queue name) take turns round-robin in subscription order, which
/// makes the choice deterministic. Wildcards: `*` one token, `>` the rest (NATS style).
public final class InMemoryBroker: Broker {
    private struct Entry {
        var id: UInt64
        var pattern: [Substring]
        var topic: String
        var queue: String?
        var inbox: BrokerSubscription.Inbox
    }

    private struct GroupKey: Hashable {
        var topic: String
        var queue: String
    }

    private struct State {
        var nextID: UInt64 = 0
        /// In subscription order.
        var entries: [Entry] = []
        var turns: [GroupKey: Int] = [:]
    }

    private let environment: Environment
    private let state = Mutex(State())

    public init(environment: Environment = .live) {
        self.environment = environment
    }

    /// Number of live subscriptions (for tests and diagnostics).
    public var subscriptionCount: Int { state.withLock { $0.entries.count } }

    public func publish(_ message: BrokerMessage, to topic: String) async throws {
        try Self.validate(topic: topic, allowingWildcards: false)
        var message = message
        if message.id.isEmpty { message.id = environment.ids.next("msg") }
        message.headers[BrokerMessage.topicHeader] = topic
        let tokens = topic.split(separator: ".")
        let overflowed = state.withLock { state -> [BrokerSubscription.Inbox] in
            var groups: [GroupKey: [Entry]] = [:]
            var groupOrder: [GroupKey] = []
            var overflowed: [UInt64] = []
            for entry in state.entries where Self.topic(tokens, matches: entry.pattern) {
                guard let queue = entry.queue else {
                    if entry.inbox.deliver(message) == .overflowed { overflowed.append(entry.id) }
                    continue
                }
                let key = GroupKey(topic: entry.topic, queue: queue)
                if groups[key] == nil { groupOrder.append(key) }
                groups[key, default: []].append(entry)
            }
            for key in groupOrder {
                let members = groups[key]!
                let turn = state.turns[key, default: 0]
                state.turns[key] = turn &+ 1
                let member = members[turn % members.count]
                if member.inbox.deliver(message) == .overflowed { overflowed.append(member.id) }
            }
            // A `.fail` subscriber that overflowed gets nothing more; it is ended below.
            let failed = state.entries.filter { overflowed.contains($0.id) && $0.inbox.overflow == .fail }
            state.entries.removeAll { entry in failed.contains { $0.id == entry.id } }
            return failed.map(\.inbox)
        }
        // Ending a subscription runs its termination handler, which takes `state`: do it outside the lock.
        for inbox in overflowed {
            inbox.finish(throwing: BrokerError(.slowConsumer, "subscriber buffer overflowed", topic: topic))
        }
    }

    public func subscribe(to topic: String, options: BrokerSubscription.Options) async throws -> BrokerSubscription {
        try Self.validate(topic: topic, allowingWildcards: true)
        guard options.bufferSize >= 1 else {
            throw BrokerError(.invalidArgument, "bufferSize must be ≥ 1, got \(options.bufferSize)", topic: topic)
        }
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        let (subscription, inbox) = BrokerSubscription.make(topic: topic, options: options) { [weak self] in
            self?.remove(id)
        }
        state.withLock { state in
            state.entries.append(Entry(id: id, pattern: topic.split(separator: "."), topic: topic,
                                       queue: options.queue, inbox: inbox))
        }
        return subscription
    }

    private func remove(_ id: UInt64) {
        state.withLock { state in
            state.entries.removeAll { $0.id == id }
            let live = Set(state.entries.compactMap { e in e.queue.map { GroupKey(topic: e.topic, queue: $0) } })
            state.turns = state.turns.filter { live.contains($0.key) }
        }
    }

}
