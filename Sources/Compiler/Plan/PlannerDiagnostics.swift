import Plan
import Support
import DSL

/// Every message the planner emits, one static factory per finding, kept in
/// alphabetical order. Codes are stable (`W02xx`); tests and scripts key on
/// them, so a code is never reused. The planner's findings are warnings: the
/// checker has already rejected everything that cannot run.
public enum PlannerDiagnostics {
    /// An axis whose values are all overwritten or ignored, so it changes nothing.
    public static func axisCannotMatter(path: String, reason: String, span: Span, cause: Span? = nil) -> Diagnostic {
        Diagnostic(severity: .warning, code: .axisCannotMatter, message: "sweeping `\(path)` cannot change any result: \(reason)",
                   primary: Label(span, "this axis has no effect"),
                   secondary: cause.map { [Label($0, "because of this")] } ?? [],
                   help: ["remove the axis, or sweep a setting that the chosen configuration reads"])
    }

    /// Two values of one axis mean the same (`1e-3` and `0.001`), so two trials would be the same trial.
    public static func duplicateSweepValue(path: String, value: String, span: Span, first: Span) -> Diagnostic {
        Diagnostic(severity: .warning, code: .duplicateSweepValue, message: "`\(path)` lists \(value) twice",
                   primary: Label(span, "the same value as an earlier one"),
                   secondary: [Label(first, "first listed here")],
                   notes: ["values are compared by meaning: `1e-3` and `0.001` are the same number"],
                   help: ["remove the repeated value; the trial it would make runs only once"])
    }

    /// A note: a stage's frozen encoder computes its features per batch, because an augmentation changes its inputs.
    public static func featuresNotHoisted(stage: String, augmentation: String, span: Span) -> Diagnostic {
        Diagnostic(severity: .note, code: .featuresNotHoisted,
                   message: "stage `\(stage)` freezes its encoder, but `\(augmentation)` changes the encoder's input every epoch, so its features cannot be computed once",
                   primary: Label(span, "features computed per batch"),
                   notes: ["without augmentation, the frozen encoder's pooled features would be one `features` task shared by the stage's trials; now every epoch encodes the training texts again (in evaluation mode), which costs about a forward pass of the encoder per epoch"],
                   help: ["this is expected with text augmentation; remove it from the data's `augment` to train on features computed once"])
    }

    /// A `random` sweep whose draws repeat (small `choice` spaces), so fewer distinct trials run.
    public static func duplicateRandomPoints(trials: Int, distinct: Int, span: Span) -> Diagnostic {
        Diagnostic(severity: .warning, code: .duplicateRandomPoints, message: "this random sweep draws \(trials) points but only \(distinct) are distinct",
                   primary: Label(span, "\(trials - distinct) repeated draws"),
                   notes: ["a repeated point is the same trial and runs once"],
                   help: ["use fewer `trials`, or a `grid` over the same values, or continuous generators such as `loguniform(a, b)`"])
    }

    /// A stage whose sweep blocks (times its `repeat`) multiply to more trials than `LanguageSchema.largeSweepThreshold`.
    public static func largeGrid(stage: String, trials: Int, repeats: Int = 1, span: Span) -> Diagnostic {
        Diagnostic(severity: .warning, code: .largeGrid, message: "the sweeps of stage `\(stage)` expand to \(trials == Int.max ? "an enormous number of" : String(trials)) trials\(repeats > 1 ? " (each point \(repeats) times, `repeat = \(repeats)`)" : "")",
                   primary: Label(span, "more than \(LanguageSchema.largeSweepThreshold) trials"),
                   help: ["consider `sweep random(trials: 64, seed: 0) { … }` with `choice(...)` over the same values"])
    }

    /// An axis with one value: it is a setting, not a search.
    public static func singleValueAxis(path: String, value: String, span: Span) -> Diagnostic {
        Diagnostic(severity: .warning, code: .singleValueAxis, message: "`\(path)` is swept over a single value",
                   primary: Label(span, "only \(value)"),
                   help: ["set `\(path) = \(value)` in the stage instead, or add more values"])
    }
}

/// A failure while planning: something the checker could not see (a file
/// that vanished, a construct the planner cannot lower). `ftx plan` exits 2.
public struct PlanError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, in one sentence.
    public var message: String
    /// The stage being planned, when the failure belongs to one.
    public var stage: String?

    public init(_ message: String, stage: String? = nil) {
        self.message = message
        self.stage = stage
    }

    public var description: String { stage.map { "stage `\($0)`: \(message)" } ?? message }
}
