/// An elementwise nonlinearity (LANGUAGE.md's activations).
public enum Activation: String, Sendable, CaseIterable {
    /// max(x, 0)
    case relu
    /// ½x(1 + erf(x/√2)) — PyTorch `gelu(approximate='none')`.
    case gelu
    /// ½x(1 + tanh(√(2/π)(x + 0.044715x³))) — PyTorch `gelu(approximate='tanh')`.
    case geluTanh = "gelu_tanh"
    /// tanh(x)
    case tanh
    /// 1/(1 + e^−x)
    case sigmoid
}
