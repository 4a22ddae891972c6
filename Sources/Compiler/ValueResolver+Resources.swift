import DSL
import Plan

/// The strings of `resources` (`ValueType.formatted`): read by `ResourceFormats` and spelled
/// back as `sbatch` reads them (`JobResources`), so `"8192M"` and `"8G"` are one value and
/// `ftx diff` never reports a respelling. Separate: the only strings with a grammar of their own.
extension CheckerRun {
    func resolveFormatted(_ text: String, _ format: StringFormat, what: String, span: Span) -> Value? {
        switch format {
        case .memory:
            if let mb = ResourceFormats.megabytes(text), mb > 0 {
                return Value(.string(JobResources.memoryText(megabytes: mb)), span: span)
            }
            let problem: String
            if ResourceFormats.megabytes(text) == 0 {
                problem = "it must be more than 0"
            } else if text.hasSuffix("K"), !text.dropLast().isEmpty, text.dropLast().allSatisfy({ $0.isASCII && $0.isNumber }) {
                problem = "it is not a whole number of megabytes, the smallest amount SLURM allocates"
            } else if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
                problem = "it has no unit (`\(text)M` is \(text) megabytes, `\(text)G` \(text) gigabytes)"
            } else {
                problem = "a memory size is a whole number followed by `K`, `M`, `G` or `T`"
            }
            emit(CheckerDiagnostics.resourceMemoryInvalid(what: what, text: text, problem: problem, suggestion: ResourceFormats.memorySuggestion(text), span: span))
            return nil
        case .wallTime:
            if let seconds = ResourceFormats.seconds(text), seconds > 0 {
                return Value(.string(JobResources.timeText(seconds: seconds)), span: span)
            }
            let problem: String
            if ResourceFormats.seconds(text) == 0 {
                problem = "a time limit must be more than 0"
            } else if text.contains(":") {
                problem = "SLURM's clock format is `HH:MM:SS` or `D-HH:MM:SS`, with two-digit minutes and seconds below 60"
            } else if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
                problem = "it has no unit (`\(text)m` is \(text) minutes, `\(text)h` \(text) hours)"
            } else {
                problem = "a duration is whole amounts of `d`, `h`, `m`, `s`, in that order"
            }
            emit(CheckerDiagnostics.resourceTimeInvalid(what: what, text: text, problem: problem, suggestion: ResourceFormats.timeSuggestion(text), span: span))
            return nil
        case .partition:
            if ResourceFormats.isPartition(text) { return Value(.string(text), span: span) }
            let problem: String
            if text.isEmpty {
                problem = "it is empty"
            } else if text.contains(",") {
                problem = "it lists several partitions; give one"
            } else {
                let bad = text.first { !ResourceFormats.isPartition(String($0)) }.map { $0 == " " ? "a space" : "`\($0)`" } ?? "a character"
                problem = "it contains \(bad)"
            }
            emit(CheckerDiagnostics.resourcePartitionInvalid(what: what, text: text, problem: problem, span: span))
            return nil
        }
    }
}
