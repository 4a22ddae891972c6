import Foundation
import Runtime
import Support

/// The store's note of the SLURM jobs submitted for one experiment:
/// `slurm/<SHA-256 of its absolute path>.json` = `{"path": …, "jobs": [{"id",
/// "name", "stage", "elements": [[key…]…], "log"}…]}`, every submission's jobs,
/// oldest first. `ftx status`, `ftx cancel` and a following `ftx run` read it to
/// know which job and element runs which task, and where its log is.
struct SlurmSubmissionRecord: Equatable {
    struct Job: Equatable {
        var id: String
        var name: String
        var stage: String
        var elements: [[String]]
        /// The folder SLURM writes the element logs to.
        var logFolder: String

        func logPath(element: Int) -> String {
            SlurmJobScript.logPath(folder: logFolder, name: name, jobID: id, element: element)
        }

        /// SLURM's id of element `i` (`1234_5`).
        func elementID(_ i: Int) -> String { "\(id)_\(i)" }
    }

    var path: String
    var jobs: [Job]

    static func file(forExperiment absolute: String, in store: TaskStore) -> String {
        ((store.root as NSString).appendingPathComponent("slurm") as NSString)
            .appendingPathComponent(SHA256.hash(absolute).hex + ".json")
    }

    /// The record of `absolute` in `store`, or nil when nothing was ever submitted for it.
    static func load(forExperiment absolute: String, in store: TaskStore) throws -> SlurmSubmissionRecord? {
        let file = Self.file(forExperiment: absolute, in: store)
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        guard let json = try? JSONParser.parse(data), let path = json["path"]?.stringValue,
              let jobs = json["jobs"]?.arrayValue
        else { throw StoreError("`\(file)` is not a SLURM submission record; remove it to forget the submissions") }
        return SlurmSubmissionRecord(path: path, jobs: try jobs.map { j in
            guard let id = j["id"]?.stringValue, let name = j["name"]?.stringValue, let stage = j["stage"]?.stringValue,
                  let elements = j["elements"]?.arrayValue?.map({ $0.arrayValue?.compactMap(\.stringValue) ?? [] }),
                  let log = j["log"]?.stringValue
            else { throw StoreError("`\(file)` has a job without id, name, stage, elements or log; remove it to forget the submissions") }
            return Job(id: id, name: name, stage: stage, elements: elements, logFolder: log)
        })
    }

    /// Writes the record atomically.
    func write(in store: TaskStore) throws {
        let file = Self.file(forExperiment: path, in: store)
        _ = try TaskStore.prepareFolder("slurm", in: store.root)
        let json: JSONValue = .object([
            ("path", .string(path)),
            ("jobs", .array(jobs.map { job in
                .object([("id", .string(job.id)), ("name", .string(job.name)), ("stage", .string(job.stage)),
                         ("elements", .array(job.elements.map { .array($0.map(JSONValue.string)) })),
                         ("log", .string(job.logFolder))])
            })),
        ])
        try AtomicFile.write(JSONWriter.encode(json) + "\n", to: file)
    }

    /// For every key ever submitted, the newest element that runs it: (job, element index).
    func latestElements() -> [String: (job: Job, element: Int)] {
        var latest: [String: (job: Job, element: Int)] = [:]
        for job in jobs {
            for (i, keys) in job.elements.enumerated() {
                for key in keys { latest[key] = (job, i) }
            }
        }
        return latest
    }

    /// The jobs with an element still queued or running, asking the scheduler once
    /// (nil `states`) or reading the `states` already asked.
    func activeJobs(states: [String: ElementState]? = nil) -> [Job] {
        let states = states ?? Slurm.elementStates(of: jobs.map(\.id))
        return jobs.filter { job in job.elements.indices.contains { states[job.elementID($0)]?.isActive == true } }
    }
}
