/// One take-effect case: two experiments, built from a template, that differ only in
/// `setting` (as `SettingNames` names it). `base` and `variant` set template slots
/// (`ExperimentTemplate`); the slots both sides share go in `both`.
struct TakeEffectCase: Sendable {
    enum Expectation: Sendable {
        /// Both pass `ftx check`; their task keys differ, and so do their trained weights or their metrics.
        case takesEffect
        /// The base passes `ftx check`, the variant is rejected with an error diagnostic.
        case rejected
        /// Both pass `ftx check`; their task keys, trained weights and metrics are equal, and the
        /// `sbatch` options of the template's stage (`graph.resources(forStage: "train")`) differ:
        /// a setting for cluster submission only (`resources`), which must change no result.
        case shapesClusterJobs
    }

    var setting: String
    /// Tells several cases of one setting apart (`steps`): the case's id is `setting [label]`.
    var label: String?
    var template: ExperimentTemplate
    var both: [String: String]
    var base: [String: String]
    var variant: [String: String]
    var expectation: Expectation

    var id: String { label.map { "\(setting) [\($0)]" } ?? setting }
}
