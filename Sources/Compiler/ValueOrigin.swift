import DSL

/// How a resolved `Value` got its value, recorded by the code that resolves it: the
/// checker (written, defaulted, derived, inherited) and the sweep expander (swept,
/// drawn). `SettingOrigins` reads it to explain a trial's settings, so the explanation
/// is the record of what `run` uses, not a second resolution of the file.
public enum ValueOrigin: Sendable, Hashable {
    /// Written in the file, at the value's span; `key` is where its key or argument
    /// label is (nil for a positional argument or a list element).
    case written(key: Span?)
    /// The language schema's default, filled in where nothing was written; the value's
    /// span is the construct it completes.
    case schemaDefault
    /// Filled in by a rule of the checker, said in words (`the model folder's vocab.txt`).
    case derived(String)
    /// Not written where it applies but in `declaration` (`stage probe`,
    /// `experiment glosses`) at `at` (`key`: its key there), reaching here through the
    /// setting at `via` (an `init`), when there is one. The value's own span stays where
    /// it applies, for diagnostics.
    case inherited(from: String, at: Span, key: Span?, via: Span?)
    /// A sweep axis's value for one point.
    case swept(SweepDraw)
    /// Drawn from a random generator inside a swept value (`sgd(lr: loguniform(…))`).
    case drawn(generator: String)
}

/// Which value of which sweep axis a trial uses.
public struct SweepDraw: Sendable, Hashable {
    /// The sweep block: 1-based among the stage's blocks, its kind as written
    /// (`grid`, `zip`, `random(trials: 8, seed: 0)`) and its span (the `sweep` keyword on).
    public var block: Int
    public var kind: String
    public var blockSpan: Span
    /// `optimizer.lr`, and the span of its line in the block (its key first).
    public var axis: String
    public var axisSpan: Span
    /// Grid and zip: the 1-based position of the value among the axis's `count`
    /// values. Random: the 1-based draw among the block's `count` trials.
    public var index: Int
    public var count: Int
    /// Random sweeps: the axis's generator as resolved (`loguniform(a: 0.0001, b: 0.01)`).
    public var generator: String?

    public init(block: Int, kind: String, blockSpan: Span, axis: String, axisSpan: Span, index: Int, count: Int, generator: String? = nil) {
        self.block = block
        self.kind = kind
        self.blockSpan = blockSpan
        self.axis = axis
        self.axisSpan = axisSpan
        self.index = index
        self.count = count
        self.generator = generator
    }
}
