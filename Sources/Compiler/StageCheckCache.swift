import DSL
import Foundation

/// What checking each stage produced, kept from one check of a document to the next: a
/// language server re-checks the whole file on every edit, and almost every stage is as it was.
///
/// A stage's results are reused when the checker would compute them again from the same
/// inputs: the stage block's bytes at the same offset (so every span in its results still
/// points at the same text), the same surroundings (`CheckerRun.stageSurroundings`: every
/// declaration that is not a stage, what their files said, every declared name), and, for
/// its checked stage and lints, the same for each stage up its `init` chain. Reuse replays
/// exactly what the stage's check contributed (its diagnostics, the declarations it used,
/// its draft, its checked stage, its lints), so a check with this cache reports what a check
/// without it reports. Stages whose check reads the file system beyond the surroundings
/// (`init = checkpoint(…)`) are never kept, and stages on an `init` cycle never reused.
///
/// One document per cache; not for concurrent checks (a language server checks on one thread).
public final class StageCheckCache: @unchecked Sendable {
    /// One stage's contribution to a check.
    struct Entry {
        var bytes: ArraySlice<UInt8>
        var start: Int
        var draft: StageDraft
        var draftDiagnostics: [Diagnostic]
        var draftUsed: Set<String>
        var checked: CheckedStage?
        var finishDiagnostics: [Diagnostic] = []
        var finishUsed: Set<String> = []
        /// The stage's lints (`StageLinter`), once computed for this checked stage.
        var lints: [Diagnostic]?
    }

    /// The surroundings the entries were computed in; other surroundings drop them all.
    private var surroundings = ""
    private var entries: [String: Entry] = [:]
    /// This check's verdicts: stages whose draft, and whose checked stage, are reused.
    private var draftReused = Set<String>()
    private var chainReused: [String: Bool] = [:]

    /// An empty cache; give the same instance to every check of one document.
    public init() {}

    /// Starts a check in `surroundings`, forgetting every stage when they changed.
    func begin(surroundings: String) {
        if surroundings != self.surroundings {
            entries.removeAll()
            self.surroundings = surroundings
        }
        draftReused.removeAll()
        chainReused.removeAll()
    }

    /// The kept draft of stage `name` when its block is byte for byte the same at the same place.
    func reusableDraft(_ name: String, section: Section, file: SourceFile) -> Entry? {
        guard let entry = entries[name], entry.start == section.span.start,
              section.span.end <= file.bytes.count, entry.bytes.count == section.span.length,
              entry.bytes.elementsEqual(file.bytes[section.span.start..<section.span.end]) else {
            entries[name] = nil
            return nil
        }
        draftReused.insert(name)
        return entry
    }

    func storeDraft(_ name: String, draft: StageDraft, diagnostics: [Diagnostic], used: Set<String>, file: SourceFile) {
        let span = draft.section.span
        if case .checkpoint = draft.initialization { return }  // `check` looks for the file each time
        guard span.end <= file.bytes.count else { return }
        entries[name] = Entry(bytes: file.bytes[span.start..<span.end], start: span.start, draft: draft,
                              draftDiagnostics: diagnostics, draftUsed: used)
    }

    /// The kept check of stage `name` when its draft and the drafts up its `init` chain were all reused.
    func reusableCheck(_ name: String, upstream: (String) -> String?, isStage: (String) -> Bool) -> Entry? {
        guard chainIsReused(name, upstream: upstream, isStage: isStage), let entry = entries[name], entry.checked != nil else { return nil }
        return entry
    }

    private func chainIsReused(_ name: String, upstream: (String) -> String?, isStage: (String) -> Bool) -> Bool {
        if let known = chainReused[name] { return known }
        guard draftReused.contains(name) else { return false }
        // Provisionally false: a chain that comes back here is an `init` cycle, never reused.
        chainReused[name] = false
        var reused = true
        if let up = upstream(name), isStage(up) {
            reused = chainIsReused(up, upstream: upstream, isStage: isStage)
        }
        chainReused[name] = reused
        return reused
    }

    func storeCheck(_ name: String, checked: CheckedStage, diagnostics: [Diagnostic], used: Set<String>) {
        guard entries[name] != nil else { return }
        entries[name]!.checked = checked
        entries[name]!.finishDiagnostics = diagnostics
        entries[name]!.finishUsed = used
        entries[name]!.lints = nil
    }

    /// Stage `name`'s lints, when kept for the checked stage this check reused.
    func reusableLints(_ name: String) -> [Diagnostic]? {
        guard chainReused[name] == true else { return nil }
        return entries[name]?.lints
    }

    func storeLints(_ name: String, _ lints: [Diagnostic]) {
        entries[name]?.lints = lints
    }

}
