import Plan
import Support

/// One trial's position in a stage's search space: the settings its sweeps
/// override, in declared order (block by block, axis by axis).
public struct SweepPoint: Sendable, Hashable {
    /// One swept setting: a dotted path into the stage's settings and its value.
    public struct Override: Sendable, Hashable {
        /// `["optimizer", "lr"]`.
        public var path: [String]
        /// The value the trial uses; generators already drawn.
        public var value: Value
        /// Arguments of a call value that a generator drew (`lr` of `sgd(lr: loguniform(…))`),
        /// shown in settings even when they equal the default.
        public var drawnArguments: [String]

        public init(path: [String], value: Value, drawnArguments: [String] = []) {
            self.path = path
            self.value = value
            self.drawnArguments = drawnArguments
        }

        /// `optimizer.lr`.
        public var dottedPath: String { path.joined(separator: ".") }
    }

    /// In application order: a later override of a path wins.
    public var overrides: [Override]

    public init(overrides: [Override] = []) {
        self.overrides = overrides
    }

    /// The point with `other`'s overrides after its own (cartesian product of blocks).
    public func combined(with other: SweepPoint) -> SweepPoint {
        SweepPoint(overrides: overrides + other.overrides)
    }

    /// The stage settings record with every override applied.
    public func apply(to settings: Value) -> Value {
        overrides.reduce(settings) { $0.replacing(at: $1.path, with: $1.value) }
    }

    /// The point as `ftx plan` and `ftx results` show it: dotted paths and
    /// canonical values in declared order. A call value shows as its name
    /// (`optimizer` → `"sgd"`) plus the arguments drawn for it or differing
    /// from the schema's defaults (`optimizer.lr` → `0.012`), so a conditional
    /// point carries only its own call's sub-axes.
    public var settings: [(key: String, value: SettingValue)] {
        var out: [(key: String, value: SettingValue)] = []
        func put(_ key: String, _ value: SettingValue) {
            if let i = out.firstIndex(where: { $0.key == key }) { out[i].value = value } else { out.append((key, value)) }
        }
        for o in overrides {
            let key = o.dottedPath
            if case .call(let name, let positional, let named) = o.value.kind, positional.isEmpty, Value.operatorNames[name] == nil {
                // A later whole-call override replaces the sub-settings shown for the earlier call.
                out.removeAll { $0.key.hasPrefix(key + ".") }
                put(key, .string(name))
                for field in named {
                    let drawn = o.drawnArguments.contains(field.name)
                    if drawn || LanguageDefaults.argument(field.name, ofCall: name) != field.value {
                        put(key + "." + field.name, SweepPoint.settingValue(field.value))
                    }
                }
            } else {
                put(key, SweepPoint.settingValue(o.value))
            }
        }
        return out
    }

    /// A value as a setting cell: numbers stay numbers, the rest canonical text.
    public static func settingValue(_ value: Value) -> SettingValue {
        switch value.kind {
        case .number(let n): return .number(n)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .symbol(let s): return .string(s)
        default: return .text(value.description)
        }
    }

    public static func == (a: SweepPoint, b: SweepPoint) -> Bool { a.overrides == b.overrides }
    public func hash(into hasher: inout Hasher) { hasher.combine(overrides) }
}

extension Value {
    /// A copy with the value at a dotted path of record fields and call
    /// arguments replaced (missing intermediate records are created).
    func replacing(at path: [String], with newValue: Value) -> Value {
        guard let head = path.first else { return newValue }
        let child = self[head] ?? Value(.record([]), span: span)
        return setting(head, to: child.replacing(at: Array(path.dropFirst()), with: newValue))
    }
}

/// Defaults of calls, read from `LanguageSchema` (never restated here).
enum LanguageDefaults {
    /// The default of argument `name` of the call `callName`, in the first family that defines both.
    static func argument(_ name: String, ofCall callName: String, family: String? = nil) -> Value? {
        if let family { return LanguageSchema.call(callName, in: family)?.param(name)?.defaultValue }
        for spec in LanguageSchema.calls where spec.name == callName {
            if let param = spec.param(name) { return param.defaultValue }
        }
        return nil
    }

    /// The default of key `name` of a section (`schedule`, `data`, `stage`, …).
    static func key(_ name: String, of section: SectionSpec) -> Value? { section.key(name)?.defaultValue }
}
