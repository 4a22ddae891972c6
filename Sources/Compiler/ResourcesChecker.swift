import DSL
import Plan

extension CheckerRun {
    /// The `resources` block of the experiment or of a stage (`sections` are its block's
    /// checked nested sections), as the fields it sets. Invalid fields are reported by
    /// `checkSection` and left unset; the planner merges a stage's over the experiment's.
    func checkResources(_ sections: [String: [Section]], owner: String) -> JobResources {
        guard let block = sections["resources"]?.first else { return JobResources() }
        let settings = checkSection(block, LanguageSchema.resources, title: "the `resources` of \(owner)", keyPrefix: "resources.")
        // Values are canonical (`ValueType.formatted`), so reading them back cannot fail.
        return JobResources(cpus: settings.values["cpus"]?.number.map { Int($0) },
                            memoryMegabytes: settings.values["memory"]?.string.flatMap(ResourceFormats.megabytes),
                            timeSeconds: settings.values["time"]?.string.flatMap(ResourceFormats.seconds),
                            partition: settings.values["partition"]?.string)
    }
}
