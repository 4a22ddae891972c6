import Foundation

/// The pixels of an 8-bit PNG (grey, grey + alpha, RGB or RGBA; not interlaced), read
/// with Foundation only (`Inflate`), for the browser test's "the page is not blank".
struct PNGImage {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    var width: Int
    var height: Int
    /// Bytes per pixel.
    var channels: Int
    /// Rows top to bottom, `width × channels` bytes each, unfiltered.
    var pixels: [UInt8]

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count > 8, bytes[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else {
            throw Failure(description: "not a PNG file")
        }
        func u32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
        var position = 8
        var header: ArraySlice<UInt8>? = nil
        var compressed: [UInt8] = []
        while position + 8 <= bytes.count {
            let length = u32(position)
            let type = String(decoding: bytes[(position + 4)..<(position + 8)], as: UTF8.self)
            guard position + 12 + length <= bytes.count else { throw Failure(description: "truncated \(type) chunk") }
            let body = bytes[(position + 8)..<(position + 8 + length)]
            if type == "IHDR" { header = body }
            if type == "IDAT" { compressed += body }
            if type == "IEND" { break }
            position += 12 + length
        }
        guard let h = header, h.count == 13 else { throw Failure(description: "no IHDR chunk") }
        let base = h.startIndex
        width = u32(base)
        height = u32(base + 4)
        let depth = h[base + 8], colourType = h[base + 9], interlace = h[base + 12]
        guard depth == 8, interlace == 0 else { throw Failure(description: "only 8-bit, non-interlaced PNGs are read (depth \(depth), interlace \(interlace))") }
        switch colourType {
        case 0: channels = 1
        case 2: channels = 3
        case 4: channels = 2
        case 6: channels = 4
        default: throw Failure(description: "colour type \(colourType) is not read")
        }
        let raw = try Inflate.zlib(compressed)
        let stride = width * channels
        guard raw.count == height * (stride + 1) else { throw Failure(description: "\(raw.count) bytes of scanlines for \(width)×\(height)") }
        pixels = [UInt8](repeating: 0, count: height * stride)
        for row in 0..<height {
            let filter = raw[row * (stride + 1)]
            let src = row * (stride + 1) + 1, dst = row * stride
            for i in 0..<stride {
                let x = Int(raw[src + i])
                let a = i >= channels ? Int(pixels[dst + i - channels]) : 0
                let b = row > 0 ? Int(pixels[dst - stride + i]) : 0
                let c = i >= channels && row > 0 ? Int(pixels[dst - stride + i - channels]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: throw Failure(description: "invalid filter \(filter) on row \(row)")
                }
                pixels[dst + i] = UInt8((x + predictor) & 0xFF)
            }
        }
    }

    /// The share of pixels whose colour differs from the most common one (the background).
    var shareOfNonBackgroundPixels: Double {
        var counts: [UInt32: Int] = [:]
        for p in 0..<(width * height) {
            var key: UInt32 = 0
            for c in 0..<min(channels, 4) { key = key << 8 | UInt32(pixels[p * channels + c]) }
            counts[key, default: 0] += 1
        }
        let background = counts.values.max() ?? 0
        return width * height == 0 ? 0 : Double(width * height - background) / Double(width * height)
    }

    /// How many distinct colours the image holds.
    var colourCount: Int {
        var seen = Set<UInt32>()
        for p in 0..<(width * height) {
            var key: UInt32 = 0
            for c in 0..<min(channels, 4) { key = key << 8 | UInt32(pixels[p * channels + c]) }
            seen.insert(key)
        }
        return seen.count
    }
}
