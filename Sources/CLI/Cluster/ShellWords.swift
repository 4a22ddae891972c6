/// The two halves of talking to a POSIX shell: splitting a line the user typed
/// into words (`--slurm-args "--account=ml --qos='high prio'"`), and quoting a
/// word so a generated script passes it through unchanged.
enum ShellWords {
    struct SyntaxError: Error, CustomStringConvertible {
        var description: String
    }

    /// Words of `line` as `sh` would split them: blanks separate, '…' is literal,
    /// "…" keeps blanks (with \" and \\ escapes), a backslash escapes one character.
    /// No expansion of any kind.
    static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var chars = line.makeIterator()
        while let c = chars.next() {
            switch c {
            case " ", "\t", "\n":
                if inWord { words.append(current); current = ""; inWord = false }
            case "'":
                inWord = true
                var closed = false
                while let d = chars.next() {
                    if d == "'" { closed = true; break }
                    current.append(d)
                }
                if !closed { throw SyntaxError(description: "unterminated ' in `\(line)`") }
            case "\"":
                inWord = true
                var closed = false
                while let d = chars.next() {
                    if d == "\"" { closed = true; break }
                    if d == "\\", let e = chars.next() {
                        if e != "\"" && e != "\\" { current.append(d) }
                        current.append(e)
                    } else {
                        current.append(d)
                    }
                }
                if !closed { throw SyntaxError(description: "unterminated \" in `\(line)`") }
            case "\\":
                inWord = true
                guard let e = chars.next() else { throw SyntaxError(description: "a trailing \\ in `\(line)`") }
                current.append(e)
            default:
                inWord = true
                current.append(c)
            }
        }
        if inWord { words.append(current) }
        return words
    }

    /// `word` quoted for `sh`: unchanged when it holds only characters the shell
    /// never interprets, else in single quotes (a ' inside becomes '\'').
    static func quote(_ word: String) -> String {
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy { s in
            (s.value < 128) && (s.properties.isAlphabetic || ("0"..."9").contains(Character(s))
                || "-_./=:,+%@".unicodeScalars.contains(s))
        }
        if plain { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// `words` as one command line.
    static func join(_ words: [String]) -> String { words.map(quote).joined(separator: " ") }
}
