import Compiler
import DSL
import Foundation
import Plan
import XCTest

/// Issue 15, item 2: `resources { cpus, memory, time, partition }` in `experiment` (the
/// default) and in a `stage` (field by field over it): checked, merged into the task
/// graph's `resources`, rendered as `sbatch` options, and kept out of every task key.
final class ResourcesTests: XCTestCase {
    /// digits-transfer with `experimentBlock` inside `experiment` and `stageBlock` inside `finetune`.
    private func text(experiment experimentBlock: String = "", finetune stageBlock: String = "") throws -> String {
        var text = try String(contentsOfFile: TestPaths.root + "/experiments/digits-transfer.ftx", encoding: .utf8)
        if !experimentBlock.isEmpty { text = text.replacingOccurrences(of: "  seed = 0\n}", with: "  seed = 0\n" + experimentBlock + "\n}") }
        if !stageBlock.isEmpty { text = text.replacingOccurrences(of: "  select = best(valid.accuracy)\n", with: stageBlock + "\n  select = best(valid.accuracy)\n") }
        return text
    }

    /// Checks `text` as if it stood at experiments/ (so `../data/digits.csv` resolves); without
    /// `files`, the file alone (quicker: resources never depend on the data).
    private func check(_ text: String, files: Bool = true) -> FileCheck {
        checkSource(SourceFile(path: TestPaths.root + "/experiments/resources-under-test.ftx", text: text), checkFiles: files)
    }

    private func plan(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> TaskGraph {
        let result = check(text)
        XCTAssertEqual(result.diagnostics.map { "\($0.code) \($0.message)" }, [], file: file, line: line)
        return try Planner().plan(result.experiment, file: result.file)
    }

    /// The error codes and messages of checking a `resources` block holding `line` in the experiment.
    private func errors(_ line: String) throws -> [Diagnostic] {
        check(try text(experiment: "  resources {\n    \(line)\n  }"), files: false).diagnostics.filter { $0.severity == .error }
    }

    private func block(_ lines: String...) -> String { "  resources {\n" + lines.map { "    " + $0 }.joined(separator: "\n") + "\n  }" }

    // MARK: Rendering

    func testSbatchOptionsAreInFixedOrderAndOmitUnsetFields() {
        XCTAssertEqual(JobResources(cpus: 4, memoryMegabytes: 8192, timeSeconds: 7200, partition: "cpu").sbatchOptions,
                       ["--cpus-per-task=4", "--mem=8G", "--time=02:00:00", "--partition=cpu"])
        XCTAssertEqual(JobResources(timeSeconds: 45, partition: "short").sbatchOptions, ["--time=00:00:45", "--partition=short"])
        XCTAssertEqual(JobResources().sbatchOptions, [])
        XCTAssertTrue(JobResources().isEmpty)
    }

    func testMemoryIsWrittenInTheLargestWholeUnit() {
        XCTAssertEqual(JobResources.memoryText(megabytes: 512), "512M")
        XCTAssertEqual(JobResources.memoryText(megabytes: 1536), "1536M")
        XCTAssertEqual(JobResources.memoryText(megabytes: 1024), "1G")
        XCTAssertEqual(JobResources.memoryText(megabytes: 3 * 1024 * 1024), "3T")
        XCTAssertEqual(JobResources.memoryText(megabytes: 1024 * 1024 + 1024), "1025G")
    }

    func testTimeIsWrittenAsSlurmClock() {
        XCTAssertEqual(JobResources.timeText(seconds: 5400), "01:30:00")
        XCTAssertEqual(JobResources.timeText(seconds: 129_600), "1-12:00:00")
        XCTAssertEqual(JobResources.timeText(seconds: 86_399), "23:59:59")
        XCTAssertEqual(JobResources.timeText(seconds: 86_400), "1-00:00:00")
        XCTAssertEqual(JobResources.timeText(seconds: 45), "00:00:45")
        XCTAssertEqual(JobResources.timeText(seconds: 12 * 86_400 + 61), "12-00:01:01")
    }

    func testStageFieldsOverrideTheExperimentsOneByOne() {
        let base = JobResources(cpus: 2, memoryMegabytes: 4096, timeSeconds: 3600, partition: "cpu")
        XCTAssertEqual(base.overridden(by: JobResources(cpus: 8, timeSeconds: 60)),
                       JobResources(cpus: 8, memoryMegabytes: 4096, timeSeconds: 60, partition: "cpu"))
        XCTAssertEqual(base.overridden(by: JobResources()), base)
        XCTAssertEqual(JobResources().overridden(by: base), base)
    }

    // MARK: Checking and planning

    /// Every accepted spelling to the option `sbatch` gets (the merge test below goes through the planner).
    func testEachWrittenValueBecomesItsSbatchOption() throws {
        let cases: [(line: String, option: String)] = [
            ("cpus = 4", "--cpus-per-task=4"),
            ("memory = \"512M\"", "--mem=512M"),
            ("memory = \"8G\"", "--mem=8G"),
            ("memory = \"1T\"", "--mem=1T"),
            ("memory = \"8192M\"", "--mem=8G"),
            ("memory = \"2048K\"", "--mem=2M"),
            ("time = \"90m\"", "--time=01:30:00"),
            ("time = \"2h\"", "--time=02:00:00"),
            ("time = \"1h30m\"", "--time=01:30:00"),
            ("time = \"1d12h\"", "--time=1-12:00:00"),
            ("time = \"45s\"", "--time=00:00:45"),
            ("time = \"1d2h3m4s\"", "--time=1-02:03:04"),
            ("time = \"36h\"", "--time=1-12:00:00"),
            ("time = \"02:00:00\"", "--time=02:00:00"),
            ("time = \"1-12:00:00\"", "--time=1-12:00:00"),
            ("time = \"30:00:00\"", "--time=1-06:00:00"),
            ("partition = \"cpu\"", "--partition=cpu"),
            ("partition = \"gpu-a100_x.2\"", "--partition=gpu-a100_x.2"),
        ]
        for c in cases {
            let result = check(try text(experiment: block(c.line)), files: false)
            XCTAssertEqual(result.diagnostics.map(\.message), [], c.line)
            XCTAssertEqual(result.experiment.resources.sbatchOptions, [c.option], c.line)
            XCTAssertEqual(result.experiment.stage(named: "finetune")?.resources, JobResources(), c.line)
        }
    }

    func testExperimentDefaultAndStageOverrideMerge() throws {
        let graph = try plan(try text(experiment: block("cpus = 2", "memory = \"4G\"", "partition = \"cpu\""),
                                      finetune: block("cpus = 8", "time = \"90m\"")))
        XCTAssertEqual(graph.resources(forStage: "pretrain"), JobResources(cpus: 2, memoryMegabytes: 4096, partition: "cpu"))
        XCTAssertEqual(graph.resources(forStage: "finetune"), JobResources(cpus: 8, memoryMegabytes: 4096, timeSeconds: 5400, partition: "cpu"))
        XCTAssertEqual(graph.resources(forStage: "finetune").sbatchOptions,
                       ["--cpus-per-task=8", "--mem=4G", "--time=01:30:00", "--partition=cpu"])
        XCTAssertEqual(Set(graph.resources.keys), ["pretrain", "finetune"])
        // Data tasks belong to no stage: they get the experiment's block.
        let dataStage = try XCTUnwrap(graph.tasks.first { $0.kind == .data }).stage
        XCTAssertEqual(graph.resources(forStage: dataStage), JobResources(cpus: 2, memoryMegabytes: 4096, partition: "cpu"))
        // Every task's stage has an entry (none falls back by accident).
        for task in graph.tasks where task.kind != .data { XCTAssertNotNil(graph.resources[task.stage], task.stage) }
    }

    func testNoBlockMeansNoOptions() throws {
        let graph = try plan(try text())
        XCTAssertEqual(graph.resources(forStage: "finetune"), JobResources())
        XCTAssertEqual(graph.resources(forStage: ""), JobResources())
        // A stage-only block applies to that stage alone.
        let only = try plan(try text(finetune: block("memory = \"16G\"")))
        XCTAssertEqual(only.resources(forStage: "finetune").sbatchOptions, ["--mem=16G"])
        XCTAssertEqual(only.resources(forStage: "pretrain").sbatchOptions, [])
        XCTAssertEqual(only.resources(forStage: "").sbatchOptions, [])
    }

    /// Resources reach no task key: the same tasks, in the same order, with or without them.
    func testResourcesLeaveEveryTaskKeyUnchanged() throws {
        let plain = try plan(try text())
        let withResources = try plan(try text(experiment: block("cpus = 4", "memory = \"8G\"", "time = \"2h\"", "partition = \"cpu\""),
                                              finetune: block("cpus = 16", "memory = \"1T\"", "time = \"1d12h\"", "partition = \"big\"")))
        XCTAssertEqual(plain.tasks.count, 29)
        XCTAssertEqual(withResources.tasks.map(\.key), plain.tasks.map(\.key))
        XCTAssertEqual(withResources.trials.map(\.id), plain.trials.map(\.id))
        XCTAssertNotEqual(withResources.resources(forStage: "finetune"), plain.resources(forStage: "finetune"))
    }

    // MARK: Mistakes

    func testBadValuesAreRejectedWithTheirCodeAndFix() throws {
        let cases: [(line: String, code: DiagnosticCode, message: String, help: String)] = [
            ("memory = \"8GB\"", .resourceMemoryInvalid, "found \"8GB\"", "did you mean `\"8G\"`?"),
            ("memory = \"8 g\"", .resourceMemoryInvalid, "found \"8 g\"", "did you mean `\"8G\"`?"),
            ("memory = \"16GiB\"", .resourceMemoryInvalid, "found \"16GiB\"", "did you mean `\"16G\"`?"),
            ("memory = \"1.5G\"", .resourceMemoryInvalid, "found \"1.5G\"", "did you mean `\"1536M\"`?"),
            ("memory = \"8192\"", .resourceMemoryInvalid, "it has no unit (`8192M` is 8192 megabytes", "write a whole number and a unit letter"),
            ("memory = \"0G\"", .resourceMemoryInvalid, "it must be more than 0", "write a whole number and a unit letter"),
            ("memory = \"1000K\"", .resourceMemoryInvalid, "not a whole number of megabytes", "write a whole number and a unit letter"),
            ("memory = \"8P\"", .resourceMemoryInvalid, "followed by `K`, `M`, `G` or `T`", "write a whole number and a unit letter"),
            ("time = \"2 hours\"", .resourceTimeInvalid, "found \"2 hours\"", "did you mean `\"2h\"`?"),
            ("time = \"1.5h\"", .resourceTimeInvalid, "found \"1.5h\"", "did you mean `\"1h30m\"`?"),
            ("time = \"90 minutes\"", .resourceTimeInvalid, "found \"90 minutes\"", "did you mean `\"1h30m\"`?"),
            ("time = \"2H\"", .resourceTimeInvalid, "found \"2H\"", "did you mean `\"2h\"`?"),
            ("time = \"30m2h\"", .resourceTimeInvalid, "in that order", "did you mean `\"2h30m\"`?"),
            ("time = \"0s\"", .resourceTimeInvalid, "must be more than 0", "write whole amounts"),
            ("time = \"00:00:00\"", .resourceTimeInvalid, "must be more than 0", "write whole amounts"),
            ("time = \"1:30\"", .resourceTimeInvalid, "`HH:MM:SS` or `D-HH:MM:SS`", "write whole amounts"),
            ("time = \"01:75:00\"", .resourceTimeInvalid, "below 60", "write whole amounts"),
            ("time = \"1-25:00:00\"", .resourceTimeInvalid, "`D-HH:MM:SS`", "write whole amounts"),
            ("time = \"120\"", .resourceTimeInvalid, "it has no unit (`120m` is 120 minutes", "write whole amounts"),
            ("partition = \"gpu,cpu\"", .resourcePartitionInvalid, "several partitions", "name one partition"),
            ("partition = \"gpu nodes\"", .resourcePartitionInvalid, "it contains a space", "name one partition"),
            ("partition = \"\"", .resourcePartitionInvalid, "it is empty", "name one partition"),
            ("cpus = 0", .outOfRange, "`resources.cpus` must be an integer ≥ 1, found 0", "use an integer ≥ 1"),
            ("cpus = 2.5", .outOfRange, "`resources.cpus` must be an integer ≥ 1, found 2.5", "use an integer ≥ 1"),
            ("memory = 8", .typeMismatch, "`resources.memory` expects a memory size string", "for example: `memory = \"8G\"`"),
        ]
        for c in cases {
            let found = try errors(c.line)
            XCTAssertEqual(found.map(\.code), [c.code], c.line)
            guard let d = found.first else { continue }
            XCTAssertTrue(d.message.contains(c.message), "\(c.line): \(d.message)")
            XCTAssertTrue(d.help.contains { $0.contains(c.help) }, "\(c.line): \(d.help)")
        }
        // A name where a string belongs is quoted by its fix-it.
        let unquoted = try errors("partition = cpu")
        XCTAssertEqual(unquoted.map(\.code), [.typeMismatch])
        XCTAssertEqual(unquoted.first?.fixIts.map(\.replacement), ["\"cpu\""])
        // A suggestion comes with a fix-it replacing the whole string literal.
        let gb = try errors("memory = \"8GB\"")
        XCTAssertEqual(gb.first?.fixIts.map(\.replacement), ["\"8G\""])
    }

    func testMistakesInAStageBlockNameTheStage() throws {
        let result = check(try text(finetune: block("time = \"forever\"", "cpu = 4")))
        let errors = result.diagnostics.filter { $0.severity == .error }
        XCTAssertEqual(errors.map(\.code), [.resourceTimeInvalid, .unknownKey])
        let unknown = try XCTUnwrap(errors.last)
        XCTAssertEqual(unknown.message, "unknown setting `cpu` in the `resources` of stage `finetune`")
        XCTAssertEqual(unknown.help, ["did you mean `cpus`?"])
    }

    func testMisplacedAndRepeatedBlocksAreRejected() throws {
        // At the top level.
        let top = try text() + "\nresources {\n  cpus = 4\n}\n"
        XCTAssertEqual(check(top).diagnostics.map(\.code), [.resourcesOutsideExperiment])
        // Twice in one place.
        let twice = check(try text(experiment: block("cpus = 4") + "\n" + block("cpus = 8")))
        XCTAssertEqual(twice.diagnostics.map(\.code), [.duplicateSection])
        // As a setting.
        let setting = check(try text(experiment: "  resources = 4"))
        XCTAssertEqual(setting.diagnostics.map(\.code), [.notASetting])
        // In a block that has none.
        let inSchedule = check(try text().replacingOccurrences(of: "    epochs = 10\n", with: "    epochs = 10\n" + block("cpus = 4") + "\n"))
        XCTAssertEqual(inSchedule.diagnostics.map(\.code), [.unknownSection])
        // Not an axis of a sweep.
        let swept = check(try text().replacingOccurrences(of: "    freeze = [[], [\"layers.0\"]]\n", with: "    freeze = [[], [\"layers.0\"]]\n    resources.cpus = [2, 4]\n"))
        XCTAssertEqual(swept.diagnostics.map(\.code), [.sweepAxisNotSweepable])
    }

    func testAnEmptyBlockIsAccepted() throws {
        let graph = try plan(try text(experiment: "  resources {\n  }", finetune: "  resources {\n  }"))
        XCTAssertEqual(graph.resources(forStage: "finetune"), JobResources())
    }
}
