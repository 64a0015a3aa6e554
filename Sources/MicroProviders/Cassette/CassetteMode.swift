/// When a ``RecordingTransport`` goes to the live transport and when it replays.
public enum CassetteMode: String, Sendable, Hashable, CaseIterable {
    /// Strict replay: never touch the live transport; a miss is an error. The CI default.
    case none
    /// Record when the cassette file does not exist yet, else replay strictly.
    case once
    /// Replay what matches, record and append what does not.
    case newEpisodes
    /// Always go live and re-record the whole cassette.
    case all
}
