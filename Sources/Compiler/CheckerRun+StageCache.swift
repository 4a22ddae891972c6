import DSL
import Foundation

/// The stage checks of a `CheckerRun` given a `StageCheckCache`: each stage is drafted and
/// finished by the checker's own `draftStage` and `finishStage`, or, when the cache holds
/// their results for the same inputs, those results are replayed instead.
extension CheckerRun {
    /// Everything a stage's check reads besides its own block and the blocks up its `init`
    /// chain, once the experiment, data and models are checked: the other declarations (text
    /// and place), what was found in their files, the declared names (a reference's
    /// suggestions list them) and the diagnostics so far (a stage with an error in its
    /// model or data is not linted).
    func stageSurroundings(_ unit: SourceUnit) -> String {
        var out = "\(file.path)\n\(checkFiles)\n"
        for section in unit.sections where section.keyword.name != "stage" {
            out += "\(section.span.start): \(file.text(section.span))\n"
        }
        for kind in [DeclarationKind.data, .model, .stage] { out += (declarationOrder[kind] ?? []).joined(separator: ",") + "\n" }
        for name in declarationOrder[.data] ?? [] { out += "\(String(describing: checkedData[name]))\n" }
        for name in declarationOrder[.model] ?? [] { out += "\(String(describing: checkedModels[name]))\n" }
        out += "\(modelsWithInvalidHead.sorted())\n\(diagnostics)"
        return out
    }

    /// `draftStage`, unless the kept draft holds (the block is unchanged): `replayKeptDrafts` adds those.
    func draftStageReusing(_ section: Section, name: String, experimentSeed: Int) {
        guard let cache = stageCache else { return draftStage(section, name: name, experimentSeed: experimentSeed) }
        if cache.keepsDraft(name, section: section, file: file) { return }
        let emitted = captured { draftStage(section, name: name, experimentSeed: experimentSeed) }
        if let draft = stages[name] { cache.storeDraft(name, draft: draft, diagnostics: emitted.diagnostics, used: emitted.used, file: file) }
    }

    /// The kept drafts of unchanged stages, where their blocks now are, with what drafting them emitted and used.
    func replayKeptDrafts() {
        for entry in stageCache?.keptDrafts() ?? [] {
            stages[entry.name] = entry.draft
            diagnostics += entry.draftDiagnostics
            used.formUnion(entry.draftUsed)
        }
    }

    /// `finishStage`, or the kept checked stage when it and the drafts it read are unchanged.
    func finishStageReusing(_ draft: StageDraft, onCycle: Set<String>) -> CheckedStage {
        guard let cache = stageCache else { return finishStage(draft, onCycle: onCycle) }
        if let entry = cache.reusableCheck(draft.name, onCycle: onCycle, isStage: { self.stages[$0] != nil }), let checked = entry.checked {
            diagnostics += entry.finishDiagnostics
            used.formUnion(entry.finishUsed)
            return checked
        }
        var checked: CheckedStage?
        draftReads = [draft.name]
        let emitted = captured { checked = finishStage(draft, onCycle: onCycle) }
        cache.storeCheck(draft.name, checked: checked!, diagnostics: emitted.diagnostics, used: emitted.used, reads: draftReads!, onCycle: onCycle)
        draftReads = nil
        return checked!
    }

    /// Stage `name`'s draft, as `finishStage` reads another stage's: recorded while a cache is filled.
    func draft(_ name: String) -> StageDraft? {
        draftReads?.insert(name)
        return stages[name]
    }

    /// Runs `body` and returns what it emitted and the declarations it used (both also stay in the run).
    private func captured(_ body: () -> Void) -> (diagnostics: [Diagnostic], used: Set<String>) {
        let first = diagnostics.count
        let outer = used
        used = []
        body()
        let mine = used
        used = outer.union(mine)
        return (Array(diagnostics[first...]), mine)
    }
}
