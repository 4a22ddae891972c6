import Foundation
import Runtime
import Support

/// `ftx verify [--repair] [--store DIR] [FILE]`: checks every entry of a store
/// against its manifest (each listed file's SHA-256, `TaskStore.verify`) and
/// names each corrupt entry with the file that differs — what `ftx run` finds
/// only for the tasks it needs, for the whole store at once (fsck for the store).
/// `--repair` discards the corrupt entries so the next `ftx run` recomputes them.
enum VerifyCommand {
    static let subcommand = Subcommand(
        name: "verify",
        summary: "check every store entry against its manifest; `--repair` discards the corrupt ones",
        usage: "ftx verify [--repair] [--store DIR] [FILE]",
        signature: CommandSignature(flags: ["--repair"], options: ["--store"], minPositionals: 0, maxPositionals: 1),
        run: run)

    static func run(_ args: ParsedArguments, _ console: Console) throws -> Int32 {
        let repair = args.has("--repair")
        let store: TaskStore
        if let file = args.positionals.first {
            do {
                store = try LoadedExperiment.load(file, storeOption: args.option("--store"), createStore: false,
                                                  console: console, json: false).store
            } catch let failure as CommandFailure {
                return failure.status
            }
        } else {
            guard let dir = args.option("--store") else {
                throw UsageError("give the experiment FILE or the store with `--store DIR`")
            }
            do {
                store = try TaskStore(root: dir, create: false)
            } catch {
                console.err("ftx verify: error: cannot open the store `\(dir)`: \(error)\n")
                return ExitCode.failure
            }
        }
        let tasks = (store.root as NSString).appendingPathComponent("tasks")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: tasks, isDirectory: &isDirectory), isDirectory.boolValue else {
            console.err("ftx verify: error: `\(store.root)` is not an ftx store (it has no `tasks` folder); pass the store with `--store DIR`\n")
            return ExitCode.failure
        }
        let keys: [String]
        do {
            keys = try FileManager.default.contentsOfDirectory(atPath: tasks).filter(TaskStore.isValidKey).sorted()
        } catch {
            console.err("ftx verify: error: cannot list `\(tasks)`: \(error)\n")
            return ExitCode.failure
        }

        var intact = 0, unfinished = 0, corrupt = 0, unrepaired = 0, unreadable = 0
        for key in keys {
            switch store.verify(key) {
            case .complete: intact += 1
            case .missing, .incomplete: unfinished += 1
            case .unreadable(let why):
                unreadable += 1
                console.out("unreadable: \(store.directory(for: key)): \(why); not checked\(repair ? " nor discarded" : "")\n")
            case .corrupt(let why):
                corrupt += 1
                let entry = store.directory(for: key)
                guard repair else {
                    console.out("corrupt: \(entry): \(why)\n")
                    continue
                }
                // Discard under the task's lease, as `ftx run` does, so no worker writes into it meanwhile.
                let lease = store.lease(for: key)
                do {
                    guard try lease.tryAcquire() else {
                        unrepaired += 1
                        console.out("corrupt: \(entry): \(why); not discarded: a live worker holds its lease\n")
                        continue
                    }
                    defer { lease.release() }
                    try store.discard(key)
                    console.out("corrupt: \(entry): \(why); discarded, the next `ftx run` recomputes it\n")
                } catch {
                    unrepaired += 1
                    console.out("corrupt: \(entry): \(why); not discarded: \(error)\n")
                }
            }
        }
        // `discard` leaves the directory while it holds the lease; an emptied one goes now.
        if repair { for key in keys { rmdir(store.directory(for: key)) } }
        console.out("\(keys.count) store entr\(keys.count == 1 ? "y" : "ies") checked: \(intact) intact, "
            + "\(unfinished) unfinished, \(corrupt) corrupt\(repair && corrupt > 0 ? " (\(corrupt - unrepaired) discarded)" : "")"
            + (unreadable > 0 ? ", \(unreadable) unreadable" : "") + "\n")
        if unrepaired > 0 || unreadable > 0 { return ExitCode.failure }
        return corrupt > 0 && !repair ? ExitCode.negative : ExitCode.success
    }
}
