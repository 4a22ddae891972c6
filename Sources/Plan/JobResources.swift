/// What a task asks of a cluster scheduler when the plan is submitted to one
/// (`ftx run --executor slurm`): the `resources { … }` block of the experiment,
/// overridden field by field by the stage's. Unset fields are left to the
/// cluster's defaults.
///
/// Resources never enter a task key or a spec: the same task computes the same
/// result whatever it was given, so a local run ignores them (it is limited by
/// `--jobs`) and changing them re-runs nothing.
///
/// ```swift
/// JobResources(cpus: 4, memoryMegabytes: 8192, timeSeconds: 7200, partition: "cpu").sbatchOptions
/// // ["--cpus-per-task=4", "--mem=8G", "--time=02:00:00", "--partition=cpu"]
/// ```
public struct JobResources: Sendable, Hashable {
    /// CPUs per task (`--cpus-per-task`), ≥ 1.
    public var cpus: Int?
    /// Memory per node in megabytes (`--mem`), ≥ 1.
    public var memoryMegabytes: Int?
    /// Wall-time limit in seconds (`--time`), ≥ 1.
    public var timeSeconds: Int?
    /// The SLURM partition (`--partition`).
    public var partition: String?

    /// Resources with the given fields set; nil leaves a field to the cluster (or to the experiment's default).
    public init(cpus: Int? = nil, memoryMegabytes: Int? = nil, timeSeconds: Int? = nil, partition: String? = nil) {
        self.cpus = cpus
        self.memoryMegabytes = memoryMegabytes
        self.timeSeconds = timeSeconds
        self.partition = partition
    }

    /// Whether no field is set.
    public var isEmpty: Bool { self == JobResources() }

    /// These resources with every field `override` sets replaced by its value (a stage's block over the experiment's).
    public func overridden(by override: JobResources) -> JobResources {
        JobResources(cpus: override.cpus ?? cpus, memoryMegabytes: override.memoryMegabytes ?? memoryMegabytes,
                     timeSeconds: override.timeSeconds ?? timeSeconds, partition: override.partition ?? partition)
    }

    /// The `sbatch` options, always in this order, set fields only:
    /// `--cpus-per-task=N`, `--mem=SIZE`, `--time=[D-]HH:MM:SS`, `--partition=NAME`.
    public var sbatchOptions: [String] {
        var options: [String] = []
        if let cpus { options.append("--cpus-per-task=\(cpus)") }
        if let memoryMegabytes { options.append("--mem=" + Self.memoryText(megabytes: memoryMegabytes)) }
        if let timeSeconds { options.append("--time=" + Self.timeText(seconds: timeSeconds)) }
        if let partition { options.append("--partition=" + partition) }
        return options
    }

    /// Memory as SLURM reads it, in the largest unit that keeps it whole: 8192 → `8G`, 1536 → `1536M`, 1048576 → `1T`.
    public static func memoryText(megabytes: Int) -> String {
        if megabytes % (1024 * 1024) == 0 { return "\(megabytes / (1024 * 1024))T" }
        if megabytes % 1024 == 0 { return "\(megabytes / 1024)G" }
        return "\(megabytes)M"
    }

    /// A wall time as SLURM reads it: `HH:MM:SS` under a day, `D-HH:MM:SS` from one day on (5400 → `01:30:00`,
    /// 129600 → `1-12:00:00`). Exact to the second.
    public static func timeText(seconds: Int) -> String {
        let days = seconds / 86_400, hours = seconds % 86_400 / 3600, minutes = seconds % 3600 / 60, secs = seconds % 60
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let clock = two(hours) + ":" + two(minutes) + ":" + two(secs)
        return days > 0 ? "\(days)-" + clock : clock
    }
}
