import DSL
import Foundation

/// What checking each stage produced, kept from one check of a document to the next: a
/// language server re-checks the whole file on every edit, and almost every stage is as it was.
///
/// A stage's results are reused when the checker would compute them again from the same
/// inputs: the stage block's bytes (when the block moved, every span in its results moves
/// with it, `SpanMoves`), the same surroundings (`CheckerRun.stageSurroundings`: every
/// declaration that is not a stage, what their files said, every declared name), and, for
/// its checked stage and lints, the same drafts of the other stages its check read (those
/// up its `init` chain that decide its model and whether its `init` is ambiguous; the
/// checker records each read). Reuse replays
/// exactly what the stage's check contributed (its diagnostics, the declarations it used,
/// its draft, its checked stage, its lints), so a check with this cache reports what a check
/// without it reports. Stages whose check reads the file system beyond the surroundings
/// (`init = checkpoint(…)`) are never kept.
///
/// One document per cache; not for concurrent checks (a language server checks on one thread).
public final class StageCheckCache: @unchecked Sendable {
    /// One stage's contribution to a check.
    struct Entry {
        var name: String
        var bytes: ArraySlice<UInt8>
        var start: Int
        var draft: StageDraft
        var draftDiagnostics: [Diagnostic]
        var draftUsed: Set<String>
        var checked: CheckedStage?
        var finishDiagnostics: [Diagnostic] = []
        var finishUsed: Set<String> = []
        /// The stages whose drafts `finishStage` read, and those of them on an `init` cycle then.
        var reads: Set<String> = []
        var readsOnCycle: Set<String> = []
        /// The stage's lints (`StageLinter`), once computed for this checked stage.
        var lints: [Diagnostic]?

        func moved(_ m: SpanMoves) -> Entry {
            var e = self
            e.draft = draft.moved(m)
            e.draftDiagnostics = draftDiagnostics.map { $0.moved(m) }
            e.checked = checked?.moved(m)
            e.finishDiagnostics = finishDiagnostics.map { $0.moved(m) }
            e.lints = lints?.map { $0.moved(m) }
            return e
        }
    }

    /// The surroundings the entries were computed in; other surroundings drop them all.
    private var surroundings = ""
    private var entries: [String: Entry] = [:]
    /// This check's verdicts: stages whose draft, and whose checked stage, are reused.
    private var draftReused: [String: Int] = [:]
    private var checkReused = Set<String>()

    /// How many stages the last check took from the cache whole (checked stage and lints), not checking them again.
    public private(set) var reusedStages = 0

    /// An empty cache; give the same instance to every check of one document.
    public init() {}

    /// Starts a check in `surroundings`, forgetting every stage when they changed.
    func begin(surroundings: String) {
        if surroundings != self.surroundings {
            entries.removeAll()
            self.surroundings = surroundings
        }
        draftReused.removeAll()
        checkReused.removeAll()
        reusedStages = 0
    }

    /// Whether stage `name`'s kept draft holds for `section`: its block is byte for byte the
    /// same (wherever it now is). Kept drafts are handed out by `keptDrafts()` once every
    /// stage was looked at, moved to their blocks' new places.
    func keepsDraft(_ name: String, section: Section, file: SourceFile) -> Bool {
        guard let entry = entries[name], section.span.end <= file.bytes.count, entry.bytes.count == section.span.length,
              entry.bytes.elementsEqual(file.bytes[section.span.start..<section.span.end]) else {
            entries[name] = nil
            return false
        }
        draftReused[name] = section.span.start
        return true
    }

    /// The kept drafts, each with its draft diagnostics and used names, moved (with the
    /// stage's other kept results) to where the blocks now are.
    func keptDrafts() -> [Entry] {
        var moves = SpanMoves()
        var moved = Set<String>()
        for (name, start) in draftReused {
            let entry = entries[name]!
            if entry.start != start {
                moves.moves.append((Span(start: entry.start, end: entry.start + entry.bytes.count), start - entry.start))
                moved.insert(name)
            }
        }
        moves.moves.sort { $0.old.start < $1.old.start }
        return draftReused.map { name, start in
            var entry = entries[name]!
            // An entry's spans lie in its own block, in the blocks of the stages it read, or in
            // declarations that did not move.
            if moved.contains(name) || !entry.reads.isDisjoint(with: moved) {
                entry = entry.moved(moves)
                entry.start = start
                entries[name] = entry
            }
            return entry
        }
    }

    func storeDraft(_ name: String, draft: StageDraft, diagnostics: [Diagnostic], used: Set<String>, file: SourceFile) {
        let span = draft.section.span
        if case .checkpoint = draft.initialization { return }  // `check` looks for the file each time
        guard span.end <= file.bytes.count else { return }
        entries[name] = Entry(name: name, bytes: file.bytes[span.start..<span.end], start: span.start, draft: draft,
                              draftDiagnostics: diagnostics, draftUsed: used)
    }

    /// The kept check of stage `name` when the drafts it read (its own, the stages up its
    /// `init` chain that it looked at) were all reused and are on an `init` cycle as they were.
    func reusableCheck(_ name: String, onCycle: Set<String>, isStage: (String) -> Bool) -> Entry? {
        guard draftReused[name] != nil, let entry = entries[name], entry.checked != nil,
              entry.reads.allSatisfy({ draftReused[$0] != nil || !isStage($0) }),
              onCycle.intersection(entry.reads) == entry.readsOnCycle else { return nil }
        checkReused.insert(name)
        reusedStages += 1
        return entry
    }

    func storeCheck(_ name: String, checked: CheckedStage, diagnostics: [Diagnostic], used: Set<String>, reads: Set<String>, onCycle: Set<String>) {
        guard entries[name] != nil else { return }
        entries[name]!.checked = checked
        entries[name]!.reads = reads
        entries[name]!.readsOnCycle = onCycle.intersection(reads)
        entries[name]!.finishDiagnostics = diagnostics
        entries[name]!.finishUsed = used
        entries[name]!.lints = nil
    }

    /// Stage `name`'s lints, when kept for the checked stage this check reused.
    func reusableLints(_ name: String) -> [Diagnostic]? {
        guard checkReused.contains(name) else { return nil }
        return entries[name]?.lints
    }

    func storeLints(_ name: String, _ lints: [Diagnostic]) {
        entries[name]?.lints = lints
    }

}
