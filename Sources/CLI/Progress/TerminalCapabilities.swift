import Foundation

/// What the live display may do on standard output: move the cursor (a terminal
/// that is not `TERM=dumb`), colour (CLI.md's rule, as `Console.colorOut`), draw
/// Unicode blocks (a UTF-8 locale), and how wide a line may be.
public struct TerminalCapabilities: Sendable {
    /// The cursor can be moved back over lines already drawn (ANSI/VT100).
    public var cursorMovement: Bool
    /// Colour is allowed.
    public var color: Bool
    /// Block characters for bars; otherwise ASCII.
    public var unicode: Bool
    /// The terminal's width in columns, read at each redraw (a resized window is followed).
    public var width: @Sendable () -> Int

    public init(cursorMovement: Bool, color: Bool, unicode: Bool, width: @escaping @Sendable () -> Int) {
        self.cursorMovement = cursorMovement
        self.color = color
        self.unicode = unicode
        self.width = width
    }

    /// Plain output: no cursor movement, no colour, ASCII, 80 columns.
    public static let plain = TerminalCapabilities(cursorMovement: false, color: false, unicode: false, width: { 80 })

    /// Standard output's capabilities under `environment`, as `console` sees it.
    public static func standard(console: Console, environment: [String: String] = ProcessInfo.processInfo.environment) -> TerminalCapabilities {
        let locale = environment["LC_ALL"] ?? environment["LC_CTYPE"] ?? environment["LANG"] ?? ""
        let utf8 = locale.lowercased().replacingOccurrences(of: "-", with: "").contains("utf8")
        return TerminalCapabilities(cursorMovement: console.isTerminal && environment["TERM"] != "dumb",
                                    color: console.colorOut, unicode: utf8,
                                    width: { Self.columns(environment: environment) })
    }

    /// Standard output's width: the terminal's (TIOCGWINSZ), else `$COLUMNS`, else 80.
    static func columns(environment: [String: String]) -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let c = environment["COLUMNS"].flatMap(Int.init), c > 0 { return c }
        return 80
    }
}
