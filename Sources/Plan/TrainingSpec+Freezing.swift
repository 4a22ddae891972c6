/// Which parameters a trial trains, and when: the one reading of `freeze` and
/// `unfreeze`, asked by the trainer (its optimizer layout at each step, what a
/// checkpoint stores) and the planner (whether a frozen encoder's features can be
/// computed once and shared).
extension TrainingSpec {
    /// Whether parameter `name` trains at optimizer step `step` (0-based over the stage),
    /// which lies in epoch `epoch` (0-based): no `freeze` pattern selects it, or an
    /// `unfreeze` entry that has taken effect by then (`at: E epochs` from epoch E's
    /// first step, `at: N steps` from step N) releases it.
    public func trains(_ name: String, atStep step: Int, epoch: Int) -> Bool {
        guard freeze.contains(where: { ParameterPattern.matches($0, name) }) else { return true }
        return unfreeze.contains { u in
            let released: Bool
            switch u.at {
            case .epoch(let e): released = e <= epoch
            case .step(let s): released = s <= step
            }
            return released && u.patterns.contains { ParameterPattern.matches($0, name) }
        }
    }

    /// Whether an `unfreeze` entry counted in steps takes effect at optimizer step `step`
    /// (the trainer then rebuilds its optimizer layout before that step).
    public func unfreezes(atStep step: Int) -> Bool {
        unfreeze.contains { $0.at == .step(step) }
    }

    /// Whether parameter `name` trains at some point of the stage.
    public func everTrains(_ name: String) -> Bool { trains(name, atStep: Int.max, epoch: Int.max) }
}
