import Compiler
import DSL

/// The seam where hover will show where a setting's value came from (the schema
/// default, the line that set it, the stage it was inherited from, the sweep axis).
/// The Compiler's provenance API (`ftx explain`, issue 19) is that one source of
/// truth; until it is wired here this returns nothing, and hover shows the schema
/// and the sweep values only. Never compute provenance a second way here.
enum HoverProvenance {
    /// Extra Markdown lines for the setting `path` (`["optimizer", "lr"]`) of `stage`.
    static func lines(forSetting path: [String], stage: String?, in snapshot: DocumentSnapshot) -> [String] {
        []
    }
}
