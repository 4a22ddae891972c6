import DSL
import Support

/// `textDocument/formatting`: `ftx fmt`'s output as one edit of the whole document;
/// no edit when the text is already canonical or does not parse (as `fmt`, which never formats broken input).
enum Formatting {
    static func answer(_ snapshot: DocumentSnapshot) -> JSONValue {
        let file = snapshot.file
        guard let formatted = Formatter.format(file), !formatted.utf8.elementsEqual(file.bytes) else { return [] }
        return [["range": file.range(of: Span(start: 0, end: file.bytes.count)), "newText": .string(formatted)]]
    }
}
