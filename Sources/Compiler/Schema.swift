import Plan
import Support
import DSL

/// The allowed values of a number: bounds (open or closed) and integrality.
public struct NumberRange: Sendable, Hashable {
    public var lower: Double?
    public var lowerInclusive: Bool
    public var upper: Double?
    public var upperInclusive: Bool
    public var integer: Bool

    public init(lower: Double? = nil, lowerInclusive: Bool = true, upper: Double? = nil, upperInclusive: Bool = true, integer: Bool = false) {
        self.lower = lower
        self.lowerInclusive = lowerInclusive
        self.upper = upper
        self.upperInclusive = upperInclusive
        self.integer = integer
    }

    /// Any number.
    public static let any = NumberRange()
    /// `> 0`.
    public static let positive = NumberRange(lower: 0, lowerInclusive: false)
    /// `≥ 0`.
    public static let nonNegative = NumberRange(lower: 0)
    /// `[0, 1)`: probabilities of dropping, smoothing.
    public static let unitOpen = NumberRange(lower: 0, upper: 1, upperInclusive: false)
    /// `[0, 1]`: probabilities of the text augmentations, where 0 is the identity and 1 allowed.
    public static let unit = NumberRange(lower: 0, upper: 1)
    /// `(0, 1)`: split fractions, decay factors.
    public static let unitExclusive = NumberRange(lower: 0, lowerInclusive: false, upper: 1, upperInclusive: false)
    /// `(0, 1]`: gammas.
    public static let unitLeftOpen = NumberRange(lower: 0, lowerInclusive: false, upper: 1)
    /// An integer `≥ 1`.
    public static let count = NumberRange(lower: 1, integer: true)
    /// An integer `≥ 0`.
    public static let naturalNumber = NumberRange(lower: 0, integer: true)

    public func contains(_ x: Double) -> Bool {
        if !x.isFinite { return false }
        // Integers must be exact in a Double (and fit an Int when converted).
        if integer, x != x.rounded() || abs(x) > 9_007_199_254_740_992 { return false }
        if let lower, lowerInclusive ? x < lower : x <= lower { return false }
        if let upper, upperInclusive ? x > upper : x >= upper { return false }
        return true
    }

    /// `> 0`, `[0, 1)`, `≥ 1`; empty for unbounded.
    public var text: String {
        let f = Value.format
        switch (lower, upper) {
        case (nil, nil): return ""
        case (let l?, nil): return (lowerInclusive ? "≥ " : "> ") + f(l)
        case (nil, let u?): return (upperInclusive ? "≤ " : "< ") + f(u)
        case (let l?, let u?): return "in " + (lowerInclusive ? "[" : "(") + f(l) + ", " + f(u) + (upperInclusive ? "]" : ")")
        }
    }
}

/// The kinds of top-level declaration a reference can name.
public enum DeclarationKind: String, Sendable, CaseIterable {
    case data, model, stage
}

/// The type of a setting or call parameter.
public indirect enum ValueType: Sendable {
    case number(NumberRange)
    case bool
    case string
    /// A file or folder path, relative to the `.ftx` file.
    case path
    /// The name of a column of the stage's data.
    case column
    /// One of these identifiers.
    case symbol([String])
    /// `split.metric`, such as `valid.accuracy`.
    case metric
    /// The name of a declaration.
    case reference(DeclarationKind)
    case list(ValueType, nonEmpty: Bool)
    case record([ParamSpec])
    /// A call of one of the functions of this family (`optimizer`, `schedule`, …).
    case call(family: String)
    /// A step count: `N steps`, `N epochs` or a bare integer (steps). With
    /// `fraction`, a bare number in `[0, 1)` is a fraction of all optimizer steps.
    case steps(fraction: Bool)
    case anyOf([ValueType])
    /// `cross_entropy() + 1e-4 * l2()`.
    case loss
    /// A data reference, optionally filtered: `digits where label >= 5`.
    case dataset
    /// A list of layer calls or activation names.
    case layers
    /// A string in a format the checker parses and spells canonically (`resources`).
    case formatted(StringFormat)

    /// How messages and the reference name this type.
    public var text: String {
        switch self {
        case .number(let r):
            let base = r.integer ? "an integer" : "a number"
            return r.text.isEmpty ? base : base + " " + r.text
        case .bool: return "`true` or `false`"
        case .string: return "a string"
        case .path: return "a path string"
        case .column: return "a column name string"
        case .symbol(let names): return "one of " + names.map { "`\($0)`" }.joined(separator: ", ")
        case .metric: return "a metric such as `valid.accuracy`"
        case .reference(let kind): return "the name of a \(kind.rawValue)"
        case .list(let element, _): return "a list of " + element.pluralText
        case .record(let fields): return "a record {" + fields.map { "\($0.name): …" }.joined(separator: ", ") + "}"
        case .call(let family): return "a call of " + LanguageSchema.familyText(family)
        case .steps(let fraction): return fraction ? "a fraction in [0, 1) or a count such as `100 steps`" : "a count such as `100 steps` or `2 epochs`"
        case .anyOf(let types): return types.map(\.text).joined(separator: " or ")
        case .loss: return "a loss such as `cross_entropy() + 1e-4 * l2()`"
        case .dataset: return "a data name, optionally filtered (`digits where label >= 5`)"
        case .layers: return "a list of layers such as `[dense(64, activation: relu), dropout(0.1)]`"
        case .formatted(let format): return format.text
        }
    }

    var pluralText: String {
        switch self {
        case .string: return "strings"
        case .number(let r): return (r.integer ? "integers" : "numbers") + (r.text.isEmpty ? "" : " " + r.text)
        case .metric: return "metrics"
        case .path: return "path strings"
        case .column: return "column names"
        case .call(let family): return "calls of " + LanguageSchema.familyText(family)
        case .record(let fields): return "records {" + fields.map { "\($0.name): …" }.joined(separator: ", ") + "}"
        case .symbol(let names): return "names among " + names.map { "`\($0)`" }.joined(separator: ", ")
        case .steps: return "counts such as `5 epochs`"
        default: return text
        }
    }
}

/// The formats of `ValueType.formatted` strings.
public enum StringFormat: Sendable, Hashable {
    /// An amount of memory with a unit: `"512M"`, `"8G"`, `"1T"`.
    case memory
    /// A duration: `"90m"`, `"1h30m"`, `"1d12h"`, or SLURM's `"HH:MM:SS"` / `"D-HH:MM:SS"`.
    case wallTime
    /// A SLURM partition name: letters, digits, `_`, `.`, `-`.
    case partition

    /// How messages and the reference name the format.
    public var text: String {
        switch self {
        case .memory: return "a memory size string such as `\"8G\"` (a whole number and `K`, `M`, `G` or `T`)"
        case .wallTime: return "a duration string such as `\"90m\"`, `\"2h\"`, `\"1h30m\"`, `\"1d12h\"` or `\"HH:MM:SS\"`"
        case .partition: return "a partition name string (letters, digits, `_`, `.`, `-`)"
        }
    }
}

/// Whether a key or parameter must be given.
public enum Presence: Sendable {
    case required
    /// Absent means "off" (`clip_grad_norm`, `text`).
    case optional
    case defaulted(Value)
}

/// One setting of a section or one parameter of a call.
public struct ParamSpec: Sendable {
    public var name: String
    public var type: ValueType
    public var presence: Presence
    /// May be given without its label, in declaration order.
    public var positional: Bool
    /// The parameter's PyTorch name when it differs (documentation only).
    public var doc: String
    /// A valid example of the setting (`lr = cosine(warmup: 0.1)`) or argument value.
    public var example: String

    public init(_ name: String, _ type: ValueType, _ presence: Presence = .optional, positional: Bool = false, doc: String, example: String = "") {
        self.name = name
        self.type = type
        self.presence = presence
        self.positional = positional
        self.doc = doc
        self.example = example
    }

    public var defaultValue: Value? {
        if case .defaulted(let v) = presence { return v }
        return nil
    }

    public var isRequired: Bool {
        if case .required = presence { return true }
        return false
    }
}

/// A cross-parameter constraint of a call, checked after its arguments.
public enum CallRule: Sendable {
    /// `lower < upper` (uniform bounds).
    case ordered(String, String)
    /// The named fractions sum to 1.
    case fractionsSumToOne([String])
    /// `nesterov: true` needs `momentum > 0` and `dampening = 0` (PyTorch's rule).
    case nesterovNeedsMomentum
    /// The list parameter is strictly increasing.
    case increasing(String)
    /// Both bounds must be positive (`loguniform`).
    case positiveBounds(String, String)
    /// The list parameter has exactly this many elements (`betas`).
    case count(String, Int)
    /// The list parameter has a non-zero element (class `weights`).
    case notAllZero(String)
}

/// A function that may appear in a value position: `adamw(...)`, `dense(...)`.
public struct CallSpec: Sendable {
    public var name: String
    public var family: String
    public var params: [ParamSpec]
    public var rules: [CallRule]
    public var doc: String
    /// A complete call as a user would write it.
    public var example: String

    public init(_ name: String, family: String, params: [ParamSpec] = [], rules: [CallRule] = [], doc: String, example: String) {
        self.name = name
        self.family = family
        self.params = params
        self.rules = rules
        self.doc = doc
        self.example = example
    }

    public func param(_ name: String) -> ParamSpec? { params.first { $0.name == name } }
}

/// What follows a section's keyword.
public enum SectionLabel: Sendable {
    case none
    /// A declaration name: `stage finetune`.
    case name
    /// `grid`, `zip` or `random(trials:, seed:)`.
    case sweepKind
}

/// A block: `experiment`, `data`, `model`, `stage`, `schedule`, `sweep`.
public struct SectionSpec: Sendable {
    public var keyword: String
    public var label: SectionLabel
    public var keys: [ParamSpec]
    public var sections: [SectionSpec]
    /// May appear several times in its parent (sweeps combine as a product).
    public var repeatable: Bool
    public var required: Bool
    public var doc: String
    /// A complete block as a user would write it.
    public var example: String

    public init(_ keyword: String, label: SectionLabel, keys: [ParamSpec], sections: [SectionSpec] = [], repeatable: Bool = false, required: Bool = false, doc: String, example: String) {
        self.keyword = keyword
        self.label = label
        self.keys = keys
        self.sections = sections
        self.repeatable = repeatable
        self.required = required
        self.doc = doc
        self.example = example
    }

    public func key(_ name: String) -> ParamSpec? { keys.first { $0.name == name } }
    public func section(_ keyword: String) -> SectionSpec? { sections.first { $0.keyword == keyword } }
}
