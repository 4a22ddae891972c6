import Foundation

/// Reads the strings of a `resources` block: memory sizes, durations and partition
/// names, as the language spells them (`LanguageSchema.resources` documents the
/// formats). `JobResources` writes them back the way `sbatch` reads them; a near
/// miss gets a corrected spelling for the checker's help line.
enum ResourceFormats {
    /// Megabytes per unit letter: SLURM counts in factors of 1024.
    private static let memoryUnits: [Character: Int] = ["M": 1, "G": 1024, "T": 1024 * 1024]
    /// Seconds per duration unit, in the order they must be written.
    private static let timeUnits: [(unit: Character, seconds: Int)] = [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)]

    // MARK: Memory

    /// `"8G"` → 8192: a whole amount ≥ 0 and one of `K` (whole megabytes only), `M`, `G`, `T`; nil otherwise.
    static func megabytes(_ text: String) -> Int? {
        guard let unit = text.last, let amount = wholeNumber(text.dropLast()) else { return nil }
        if unit == "K" { return amount % 1024 == 0 ? amount / 1024 : nil }
        guard let factor = memoryUnits[unit] else { return nil }
        let (mb, overflow) = amount.multipliedReportingOverflow(by: factor)
        return overflow ? nil : mb
    }

    /// The valid spelling of a near miss: `"8GB"`, `"8 g"`, `"8GiB"` → `"8G"`; `"1.5G"` → `"1536M"`.
    static func memorySuggestion(_ text: String) -> String? {
        let squeezed = text.filter { $0 != " " }
        guard let split = squeezed.firstIndex(where: { !$0.isNumber && $0 != "." }) else { return nil }
        let amount = squeezed[..<split]
        var unit = squeezed[split...].uppercased()
        for suffix in ["IB", "B"] where unit.count > 1 && unit.hasSuffix(suffix) { unit.removeLast(suffix.count) }
        guard unit.count == 1, let letter = unit.first, "KMGT".contains(letter), let value = Double(amount), value > 0 else { return nil }
        // A fraction: the next smaller unit, when that makes it whole.
        let letters: [Character] = ["K", "M", "G", "T"]
        var scaled = value, index = letters.firstIndex(of: letter)!
        while scaled != scaled.rounded(), index > 1 {
            scaled *= 1024
            index -= 1
        }
        guard scaled == scaled.rounded(), scaled < 1e15 else { return nil }
        let candidate = "\(Int(scaled))\(letters[index])"
        guard let mb = megabytes(candidate), mb > 0 else { return nil }
        return candidate
    }

    // MARK: Durations

    /// Seconds of `"1h30m"` (whole amounts of `d`, `h`, `m`, `s` in that order, each at most once) or of
    /// SLURM's `"HH:MM:SS"` / `"D-HH:MM:SS"` (minutes and seconds below 60, hours below 24 after a day count); nil otherwise.
    static func seconds(_ text: String) -> Int? {
        text.contains(":") ? clockSeconds(text) : unitSeconds(text)
    }

    private static func unitSeconds(_ text: String) -> Int? {
        var rest = Substring(text), total = 0, next = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard let amount = wholeNumber(digits), let unit = rest.dropFirst(digits.count).first,
                  let index = timeUnits.firstIndex(where: { $0.unit == unit }), index >= next else { return nil }
            let (part, o1) = amount.multipliedReportingOverflow(by: timeUnits[index].seconds)
            let (sum, o2) = total.addingReportingOverflow(part)
            guard !o1, !o2 else { return nil }
            total = sum
            next = index + 1
            rest = rest.dropFirst(digits.count + 1)
        }
        return total
    }

    private static func clockSeconds(_ text: String) -> Int? {
        var clock = Substring(text), days = 0
        if let dash = clock.firstIndex(of: "-") {
            guard let d = wholeNumber(clock[..<dash]) else { return nil }
            days = d
            clock = clock[clock.index(after: dash)...]
        }
        let parts = clock.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let h = wholeNumber(parts[0]), let m = wholeNumber(parts[1]), let s = wholeNumber(parts[2]),
              parts[1].count == 2, parts[2].count == 2, m < 60, s < 60, text.contains("-") ? h < 24 : true else { return nil }
        // Bounded far below overflow (a million days or hours is no wall time).
        guard days < 1_000_000, h < 1_000_000 else { return nil }
        return days * 86_400 + h * 3600 + m * 60 + s
    }

    /// The valid spelling of a near miss: `"2 hours"` → `"2h"`, `"1.5h"` → `"1h30m"`, `"90 min"` → `"1h30m"`, `"2H"` → `"2h"`.
    static func timeSuggestion(_ text: String) -> String? {
        let words: [String: Character] = [
            "d": "d", "day": "d", "days": "d",
            "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
            "m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m",
            "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
        ]
        var rest = Substring(text.lowercased().filter { $0 != " " && $0 != "," }), total = 0.0
        guard !rest.isEmpty, !rest.contains(":") else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            let word = rest.dropFirst(number.count).prefix { $0.isLetter }
            guard let amount = Double(number), let unit = words[String(word)],
                  let factor = timeUnits.first(where: { $0.unit == unit })?.seconds else { return nil }
            total += amount * Double(factor)
            rest = rest.dropFirst(number.count + word.count)
        }
        guard total >= 1, total == total.rounded(), total < 1e15 else { return nil }
        return unitText(seconds: Int(total))
    }

    /// A positive number of seconds as the shortest unit spelling: 5400 → `1h30m`, 129600 → `1d12h`.
    static func unitText(seconds: Int) -> String {
        var rest = seconds, out = ""
        for (unit, size) in timeUnits where rest >= size {
            out += "\(rest / size)\(unit)"
            rest %= size
        }
        return out
    }

    // MARK: Partitions

    /// A partition name: non-empty, letters, digits, `_`, `.`, `-` (one partition, no list).
    static func isPartition(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
    }

    // MARK: Helpers

    /// ASCII digits only (no sign, no spaces), fitting an `Int`.
    private static func wholeNumber<S: StringProtocol>(_ text: S) -> Int? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(text)
    }
}
