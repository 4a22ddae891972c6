/// Which parameters a trial trains, and when: the one reading of `freeze` and
/// `unfreeze`, asked by the trainer (its optimizer layout per epoch, what a
/// checkpoint stores) and the planner (whether a frozen encoder's features can be
/// computed once and shared).
extension TrainingSpec {
    /// Whether parameter `name` trains during `epoch` (0-based): no `freeze` pattern
    /// selects it, or an `unfreeze` step at or before `epoch` releases it.
    public func trains(_ name: String, duringEpoch epoch: Int) -> Bool {
        guard freeze.contains(where: { ParameterPattern.matches($0, name) }) else { return true }
        return unfreeze.contains { $0.epoch <= epoch && $0.patterns.contains { ParameterPattern.matches($0, name) } }
    }

    /// Whether parameter `name` trains in any epoch.
    public func everTrains(_ name: String) -> Bool { trains(name, duringEpoch: Int.max) }
}
