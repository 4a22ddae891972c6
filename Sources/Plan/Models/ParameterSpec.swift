/// A model's parameters as plain data: what the checker names in `freeze`, what the
/// runtime allocates. Both read them from `ModelCatalog`.

/// What a parameter is, which decides whether `l1()`/`l2()` penalties apply.
public enum ParameterRole: String, Sendable {
    /// A dense/linear weight matrix `[out, in]` (penalised).
    case weight
    /// An embedding table `[vocab, dim]` (penalised).
    case embedding
    /// A bias vector (not penalised).
    case bias
    /// A normalisation gain or shift (not penalised).
    case norm

    /// Whether `l1()`/`l2()` penalties cover this role (LANGUAGE.md: dense and embedding weights only).
    public var isPenalized: Bool { self == .weight || self == .embedding }

    /// Whether `no_decay = bias_and_norm` exempts this role from weight decay: every bias
    /// and every normalisation gain and shift (Hugging Face's `["bias", "LayerNorm.weight"]`,
    /// read from the catalog's roles instead of from names).
    public var isBiasOrNorm: Bool { self == .bias || self == .norm }
}

/// A parameter to allocate: its model-path name, shape and role.
public struct ParameterSpec: Sendable, Equatable {
    /// Model-path name (`layers.0.weight`, `head.bias`, `encoder.layer.0.attention.self.query.weight`).
    public var name: String
    /// Shape; dense weights are `[out, in]`.
    public var shape: [Int]
    /// What the tensor is.
    public var role: ParameterRole

    /// A spec.
    public init(name: String, shape: [Int], role: ParameterRole) {
        self.name = name; self.shape = shape; self.role = role
    }
}
