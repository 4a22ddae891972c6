import Foundation
import Plan
import Support
import DSL

extension CheckerRun {
    /// Checks the tables the text augmentations of one `augment` list name — `synonyms`'
    /// and `random_insertion`'s `source:`, `paraphrases`' path — with the runtime's own
    /// reader (`TextPairTable`), so a table `check` accepts is one `run` reads. Returns
    /// the paraphrase tables that read, for the coverage note.
    func checkAugmentTables(_ augments: [Value]) -> [(table: TextPairTable, call: (path: String, span: Span))] {
        guard checkFiles else { return [] }
        var paraphrases: [(table: TextPairTable, call: (path: String, span: Span))] = []
        for a in augments {
            let kind: TextPairTable.Kind
            let pathValue: Value?
            switch a.callName {
            case "synonyms", "random_insertion": kind = .synonyms; pathValue = a["source"]
            case "paraphrases": kind = .paraphrases; pathValue = a["path"] ?? positional(a, 0)
            default: continue
            }
            guard let pathValue, let path = pathValue.string else { continue }
            let resolved = resolvePath(path)
            guard FileManager.default.fileExists(atPath: resolved) else {
                emit(CheckerDiagnostics.fileNotFound(kind: kind == .synonyms ? "synonym table" : "paraphrase table", path: path, resolved: resolved, span: pathValue.span))
                continue
            }
            do {
                let table = try TextPairTable.read(path: resolved, kind: kind)
                if kind == .paraphrases { paraphrases.append((table, (path, a.span))) }
                if table.entries.isEmpty {
                    emit(CheckerDiagnostics.augmentTableEmpty(call: a.callName ?? "augment", file: path, columns: kind.columns, span: pathValue.span))
                }
            } catch let failure as TextPairTable.Failure {
                emit(CheckerDiagnostics.augmentTableInvalid(call: a.callName ?? "augment", file: path, failure: failure, span: pathValue.span))
            } catch {
                emit(CheckerDiagnostics.fileUnreadable(path: path, reason: "\(error)", span: pathValue.span))
            }
        }
        return paraphrases
    }

    private func positional(_ value: Value, _ index: Int) -> Value? {
        if case .call(_, let args, _) = value.kind, index < args.count { return args[index] }
        return nil
    }
}
