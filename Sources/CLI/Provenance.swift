import Compiler
import Foundation
import Kernels
import Plan
import Runtime
import Support

/// Where a trial came from: the git commit of the experiment file when it was
/// trained, and whether the working tree had uncommitted changes. Recorded by
/// `ftx run` beside each trial it trains (never part of a task key: the same
/// settings trained at two commits are one trial), shown by `ftx results`.
struct Provenance {
    static let fileName = "provenance.json"

    var commit: String?
    var dirty: Bool

    /// The provenance of `experimentPath` now; no commit outside a git repository.
    static func current(for experimentPath: String) -> Provenance {
        guard let (repository, _) = try? GitRepository.locate(file: experimentPath),
              let head = try? repository.git(["rev-parse", "HEAD"]), head.status == 0
        else { return Provenance(commit: nil, dirty: false) }
        let status = try? repository.git(["status", "--porcelain", "--untracked-files=no"])
        let dirty = status.map { $0.status != 0 || !$0.output.isEmpty } ?? true
        return Provenance(commit: head.text.trimmingCharacters(in: .whitespacesAndNewlines), dirty: dirty)
    }

    var json: JSONValue {
        .object([("commit", commit.map(JSONValue.string) ?? .null), ("dirty", .bool(dirty))])
    }

    init(commit: String?, dirty: Bool) {
        self.commit = commit
        self.dirty = dirty
    }

    init?(_ json: JSONValue?) {
        guard let json, let dirty = json["dirty"]?.boolValue else { return nil }
        self.init(commit: json["commit"]?.stringValue, dirty: dirty)
    }

    /// `abc1234` or `abc1234+dirty`; `-` when not in git.
    var short: String {
        guard let commit else { return "-" }
        return String(commit.prefix(7)) + (dirty ? "+dirty" : "")
    }

    /// Records this provenance in every trained trial's store entry that has none.
    func record(trainKeys: [String], in store: TaskStore) {
        let data = Data((JSONWriter.encode(json) + "\n").utf8)
        for key in trainKeys where !store.exists(Self.fileName, for: key) {
            try? store.write(data, Self.fileName, for: key)
        }
    }
}
