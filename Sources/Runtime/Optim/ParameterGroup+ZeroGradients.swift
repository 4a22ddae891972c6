import Foundation

extension ParameterStore {
    /// Zeroes the gradients of `group`'s trainable slots only: a step over a large
    /// frozen encoder (22M parameters) must not clear 90 MB it never reads.
    /// Frozen slots' gradients are read by nothing (clipping and the optimizer
    /// use the group's trainable slots); clear everything with `zeroGradients()`
    /// whenever the trainable set changes.
    public func zeroGradients(of group: ParameterGroup) {
        let g = gradients.pointer
        for slot in group.slots where slot.trainable { (g + slot.offset).update(repeating: 0, count: slot.count) }
    }
}
