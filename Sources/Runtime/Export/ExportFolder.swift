import Foundation
import Support

/// An export folder that appears whole or not at all: its files are written (each
/// atomically) into a fresh temporary folder beside the destination, which is renamed
/// into place only when every file is there. A failure removes the temporary folder.
public enum ExportFolder {
    /// Why the folder cannot be written, naming the path.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// Writes the folder `destination` with `body`, which fills the (temporary) folder it is
    /// given. An existing `destination` is an error unless `replace` (it is then swapped for
    /// the new folder after the new one is complete).
    public static func write(to destination: String, replace: Bool, _ body: (String) throws -> Void) throws {
        let fm = FileManager.default
        let target = (destination as NSString).standardizingPath
        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: target, isDirectory: &isDirectory)
        if exists && !replace {
            throw Failure("'\(destination)' already exists; choose another --out or pass --force to replace it")
        }
        if exists && !isDirectory.boolValue { throw Failure("'\(destination)' exists and is not a folder") }
        let parent = (target as NSString).deletingLastPathComponent
        guard fm.fileExists(atPath: parent.isEmpty ? "." : parent) else {
            throw Failure("the folder '\(parent)' that should hold '\(destination)' does not exist")
        }
        let base = (target as NSString).lastPathComponent
        let temporary = (parent as NSString).appendingPathComponent(".\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try fm.createDirectory(atPath: temporary, withIntermediateDirectories: false)
        } catch {
            throw Failure("cannot create a temporary folder beside '\(destination)': \(error.localizedDescription)")
        }
        do {
            try body(temporary)
            if exists {
                let old = temporary + ".old"
                guard rename(target, old) == 0 else { throw Failure("cannot move the old '\(destination)' aside: \(String(cString: strerror(errno)))") }
                guard rename(temporary, target) == 0 else {
                    let reason = String(cString: strerror(errno))
                    _ = rename(old, target)
                    throw Failure("cannot rename the new folder to '\(destination)': \(reason)")
                }
                try? fm.removeItem(atPath: old)
            } else {
                guard rename(temporary, target) == 0 else {
                    throw Failure("cannot rename the new folder to '\(destination)': \(String(cString: strerror(errno)))")
                }
            }
        } catch {
            try? fm.removeItem(atPath: temporary)
            throw error
        }
    }

    /// Writes `text` to `name` (a relative path; its folders are created) inside `folder`, atomically.
    public static func writeFile(_ text: String, _ name: String, in folder: String) throws {
        try writeFile(Data(text.utf8), name, in: folder)
    }

    /// Writes `data` to `name` inside `folder`, atomically.
    public static func writeFile(_ data: Data, _ name: String, in folder: String) throws {
        let path = (folder as NSString).appendingPathComponent(name)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try AtomicFile.write(data, to: path)
    }
}
