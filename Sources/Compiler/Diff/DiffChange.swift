import Foundation
import Plan
import Support

/// One semantic difference between two checked experiments.
///
/// Paths are the language's dotted paths under their declaration:
/// `experiment.seed`, `data.digits.split.train`, `model.mlp.layers.0.units`,
/// `stage.finetune.optimizer.lr`, `stage.finetune.sweep.optimizer.lr` (a sweep
/// axis; `sweep[1].…` when a stage has several sweep blocks),
/// `data.digits.contents` (the data file's bytes).
public struct DiffChange: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case changed, added, removed, renamed
    }

    /// What the path names, so output can say "sweep value" or "contents".
    public enum Subject: String, Sendable, Hashable {
        /// A setting of the experiment or of a declaration.
        case setting
        /// One value of a sweep axis.
        case sweepValue = "sweep-value"
        /// The order of a sweep axis's values or of a grid's axes (it orders trials and breaks `select` ties).
        case sweepOrder = "sweep-order"
        /// A whole declaration (`data`, `model`, `stage`), a sweep axis or block.
        case declaration
        /// The contents of a file the experiment reads, by SHA-256.
        case contents
    }

    public var kind: Kind
    public var subject: Subject
    public var path: String
    /// The value before (nil for `added`).
    public var old: Value?
    /// The value after (nil for `removed`).
    public var new: Value?

    public init(_ kind: Kind, _ subject: Subject, path: String, old: Value?, new: Value?) {
        self.kind = kind
        self.subject = subject
        self.path = path
        self.old = old
        self.new = new
    }

    /// Whether the change is to a `resources` block (`experiment.resources.cpus`,
    /// `stage.finetune.resources.time`), which decides what cluster jobs ask for and no task key.
    public var isResources: Bool {
        let parts = path.split(separator: ".")
        return parts.count >= 2 && (parts[0] == "experiment" ? parts[1] == "resources" : parts[0] == "stage" && parts.count >= 3 && parts[2] == "resources")
    }

    /// One line of `ftx diff`'s human output.
    public var text: String {
        let o = old.map(Self.show) ?? "", n = new.map(Self.show) ?? ""
        switch (kind, subject) {
        case (.renamed, _):
            let what = path.split(separator: ".").first.map(String.init) ?? path
            return "renamed \(what) \(o) → \(n)"
        case (.added, .declaration): return "+ \(Self.declaration(path))"
        case (.removed, .declaration): return "- \(Self.declaration(path))"
        case (.added, .sweepValue): return "+ sweep value \(path): \(n)"
        case (.removed, .sweepValue): return "- sweep value \(path): \(o)"
        case (.changed, .sweepValue): return "~ sweep value \(path): \(o) → \(n)"
        case (.changed, .sweepOrder): return "~ order of \(path): \(o) → \(n)"
        case (.changed, .contents): return "~ \(path): \(o) → \(n)"
        case (.added, _): return "+ \(path): \(n)"
        case (.removed, _): return "- \(path): \(o)"
        case (.changed, _): return "~ \(path): \(o) → \(n)"
        }
    }

    /// `stage.eval` → `stage eval`; `stage.finetune.sweep.optimizer.lr` → `sweep axis stage.finetune.sweep.optimizer.lr`.
    private static func declaration(_ path: String) -> String {
        let parts = path.split(separator: ".", maxSplits: 1).map(String.init)
        if parts.count == 2, ["data", "model", "stage"].contains(parts[0]), !parts[1].contains(".") {
            return "\(parts[0]) \(parts[1])"
        }
        if path.contains(".sweep") { return (path.hasSuffix("sweep") || path.hasSuffix("]") ? "sweep block " : "sweep axis ") + path }
        return path
    }

    /// A value as the human output shows it: canonical text, a digest shortened.
    static func show(_ value: Value) -> String {
        if let s = value.string, s.hasPrefix("sha256:") { return String(s.prefix(7 + 12)) + "…" }
        if case .record = value.kind { return "{…}" }
        return value.description
    }

    /// The change as a `--json` object: `kind`, `path`, `old`, `new` (CLI.md), plus `subject`.
    public var json: JSONValue {
        .object([
            ("kind", .string(kind.rawValue)),
            ("path", .string(path)),
            ("old", old.map(Self.json) ?? .null),
            ("new", new.map(Self.json) ?? .null),
            ("subject", .string(subject.rawValue)),
        ])
    }

    /// A canonical value as JSON: numbers (integral ones without a fraction),
    /// strings, booleans, symbols as strings, lists as arrays, records as
    /// objects; calls and quantities as their canonical text (`adamw(lr: 0.001, …)`, `2 epochs`).
    public static func json(_ value: Value) -> JSONValue {
        switch value.kind {
        case .number(let n):
            if n == n.rounded(), abs(n) < 9e15 { return .int(Int(n)) }
            return .double(n)
        case .string(let s), .symbol(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .list(let items): return .array(items.map(json))
        case .record(let fields): return .object(fields.map { ($0.name, json($0.value)) })
        case .call, .quantity: return .string(value.description)
        }
    }
}
