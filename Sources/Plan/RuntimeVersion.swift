/// The version of the runtime; part of every task key, so a change that alters numerics must bump it.
public enum RuntimeVersion {
    public static let current = "ftx-runtime-0.1"
}
