/// Settings that an older runtime accepted and then ignored (issue 14) train
/// differently now, under settings that encode exactly as before. A store made
/// by that runtime holds results for those keys that were computed with the
/// setting ignored; returning them would repeat the bug. So the trials whose
/// training changed — and only those — carry a revision in their key, and every
/// other trial keeps the key it had (the pinned keys in PlanKeyPinTests).
///
/// A runtime change that alters the numerics of *every* trial bumps
/// `RuntimeVersion` instead; this is for fixes that touch a few settings.
extension TrainingSpec {
    /// The revision of the runtime's semantics this trial depends on; 1 (not
    /// written into the key) for trials the fixes leave as they were.
    public var behaviourRevision: Int {
        changedByIssue14 ? 2 : 1
    }

    /// Whether a setting of this trial was accepted and ignored before issue 14:
    /// layer-wise lr decay on a pretrained encoder, token dropout, Adagrad's `eps`
    /// (trained with 1e-10 whatever was written), and early stopping or ASHA on a
    /// train-split metric other than `train.loss` (never computed per epoch).
    var changedByIssue14: Bool {
        if model.pretrained != nil, optimizer.layerLRDecay != 1 { return true }
        if data.augment.contains(where: { if case .tokenDropout = $0 { return true } else { return false } }) { return true }
        if optimizer.kind == .adagrad, optimizer.eps != 1e-10 { return true }
        let monitored = [schedule.earlyStop?.metric, prune?.metric].compactMap { $0 }
        return monitored.contains { $0.hasPrefix("train.") && $0 != "train.loss" }
    }
}
