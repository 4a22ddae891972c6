import Charts
import Foundation
import Plan
import Runtime

/// The plan as a picture: its tasks top to bottom in dependency order, each box
/// saying its kind, stage and whether its result is in the store. A stage's tasks
/// of one kind are drawn as one box when there are more than `groupAbove` of them.
enum TaskGraphSection {
    static let groupAbove = 6

    static func html(_ m: ReportModel) -> String {
        var groups: [String: [PlannedTask]] = [:]
        for task in m.graph.tasks { groups[groupKey(task), default: []].append(task) }
        var nodeOf: [String: String] = [:]  // task key → node id
        var nodes: [LayeredGraph.Node] = []
        var placed = Set<String>()
        for task in m.graph.tasks {
            let group = groups[groupKey(task)]!
            let grouped = group.count > groupAbove
            let id = grouped ? groupKey(task) : task.key
            nodeOf[task.key] = id
            guard placed.insert(id).inserted else { continue }
            let members = grouped ? group : [task]
            let statuses = members.map { m.store.completedStatus($0.key) }
            let inStore = statuses.compactMap { $0 }
            let inputs = Array(Set(members.flatMap(\.deps).compactMap { nodeOf[$0] }.filter { $0 != id })).sorted()
            let name = task.kind.rawValue + (task.stage.isEmpty ? "" : " · " + task.stage)
            let label = grouped ? "\(name) ×\(members.count)" : "\(name) \(String(task.key.prefix(7)))"
            let detail = grouped ? "\(inStore.count) of \(members.count) in store" : (inStore.first.map { "in store (\($0.rawValue))" } ?? "not run yet")
            let state: String
            if inStore.count == members.count {
                state = inStore.contains(.done) || inStore.isEmpty ? "done" : inStore[0].rawValue
            } else {
                state = "pending"
            }
            let hover = grouped ? "\(members.count) \(task.kind.rawValue) tasks of stage \(task.stage); \(inStore.count) in the store"
                : "\(task.kind.rawValue) task \(task.key) \(task.stage.isEmpty ? "" : "of stage \(task.stage) ")— \(detail)"
            nodes.append(LayeredGraph.Node(id: id, label: label, detail: detail, state: state, hover: hover, inputs: inputs))
        }
        var graph = LayeredGraph(title: "task graph of \(m.experiment): \(m.graph.tasks.count) tasks", nodes: nodes)
        graph.attributes = [("data-chart", "tasks")]
        let done = m.graph.tasks.filter { m.store.completedStatus($0.key) != nil }.count
        return "<div class=\"scroll\">" + graph.svg() + "</div><p class=\"muted\">\(done) of \(m.graph.tasks.count) tasks are in the store (solid border: cached, reused by the next run; dashed: not run yet). Arrows point from a task to the tasks that read its result.</p>"
    }

    private static func groupKey(_ task: PlannedTask) -> String { "group-\(task.kind.rawValue)-\(task.stage)" }
}
