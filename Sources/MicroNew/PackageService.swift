import Micro

/// The `package` service: `package_build` runs `swift build` in the generated package (a live process,
/// bounded by a timeout on the real clock) and answers with the compiler's diagnostics (file, line, message).
/// The first build and at most `maxFixRounds` more are allowed. Each build is kept in the store under its
/// call's idempotency key, so a call repeated after a crash gets the kept report instead of a second
/// build, and each one starting is journalled in the side-effect ledger (kind `swift_build`).
public enum PackageService {
    public static let name = "package"
    static let namespace = "micro-new.builds"
    /// The ledger kind of a build starting.
    public static let buildEffect = "swift_build"

    public struct BuildRequest: Codable, Sendable, SchemaDescribing {
        /// What changed since the last build, for the record.
        public var note: String?
        public static var fieldDescriptions: [String: String] { ["note": "What this round changed (optional)."] }
    }

    public struct BuildReport: Codable, Sendable, Hashable, SchemaDescribing {
        public var succeeded: Bool
        /// 1 for the first build, 2 for the first fix round's build, …
        public var round: Int
        /// Builds still allowed after this one.
        public var buildsLeft: Int
        /// The errors (at most 20), paths relative to the package.
        public var diagnostics: [SwiftDiagnostic]
        public var message: String
    }

    public static func service(
        directory: String, toolchain: any Toolchain, maxFixRounds: Int, timeout: Duration, store: any Store, ledger: SideEffectLedger
    ) -> Service {
        Service(name, description: "Builds the package being generated.") {
            Endpoint("build", description: "Run swift build in the package; answers with the compiler errors (file, line, message).") {
                (_: BuildRequest, context: CallContext) async throws -> BuildReport in
                let builds = StoreNamespace(store: store, name: namespace)
                if let kept = try await builds.read(context.idempotencyKey, as: BuildReport.self) { return kept }
                let round = try await builds.keys().count + 1
                let allowed = maxFixRounds + 1
                guard round <= allowed else {
                    throw ServiceError(
                        .rejected, "no fix rounds left: \(allowed) builds were allowed (--max-fix-rounds \(maxFixRounds)); stop and report")
                }
                _ = try await ledger.append(
                    key: context.idempotencyKey, kind: buildEffect, payload: ["round": .integer(round)], at: context.environment.now())
                let run = try await toolchain.build(packageAt: directory, timeout: timeout)
                let report = Self.report(of: run, round: round, allowed: allowed, root: directory, timeout: timeout)
                try await builds.write(context.idempotencyKey, report)
                return report
            }
        }
    }

    /// The report the model reads: errors only (warnings do not fail a build), at most 20, and the end of
    /// the output when a failed build printed no diagnostic.
    static func report(of run: ToolchainRun, round: Int, allowed: Int, root: String, timeout: Duration) -> BuildReport {
        let errors = SwiftDiagnostic.parse(run.output, root: root).filter { $0.severity == "error" }
        let message: String
        if run.succeeded {
            message = "build succeeded"
        } else if run.timedOut {
            message = "swift build did not finish within \(timeout)"
        } else if errors.isEmpty {
            let tail = run.output.split(whereSeparator: \.isNewline).suffix(15).joined(separator: "\n")
            message = "swift build failed (exit \(run.exitCode.map(String.init) ?? "signal")) with no diagnostic; its last lines:\n\(tail)"
        } else {
            message = "swift build failed with \(errors.count) error(s)"
        }
        return BuildReport(
            succeeded: run.succeeded, round: round, buildsLeft: allowed - round, diagnostics: Array(errors.prefix(20)), message: message)
    }

    /// Every build report kept, in round order.
    public static func reports(in store: any Store) async throws -> [BuildReport] {
        let builds = StoreNamespace(store: store, name: namespace)
        var reports: [BuildReport] = []
        for key in try await builds.keys() {
            if let report = try await builds.read(key, as: BuildReport.self) { reports.append(report) }
        }
        return reports.sorted { $0.round < $1.round }
    }
}
